Option Explicit

' Worksheet functions that score with Python through the xlwings add-in's COM server, the way
' xlwings' own generated wrappers do (XLPy.CallUDF), but without a VBA reference to the add-in.
' On ANY error (no add-in, no Python, a bad argument) they return #N/A, so the sheet's formula
' IF(ISERROR(udf), native, udf) falls back to the native formula. The Python side is
' cchc_xl/excel/udfs.py; see its docstrings for the arguments.

Private Const UDF_MODULE As String = "cchc_xl.excel.udfs"
Private Const ERR_NA As Long = 2042 ' xlErrNA

Public Function CCHC_DIEM_KHOI(codes As Variant, inputs As Variant, catalogue As Variant) As Variant
    On Error GoTo Failed
    CCHC_DIEM_KHOI = CallPython("CCHC_DIEM_KHOI", Array(codes, inputs, catalogue))
    Exit Function
Failed:
    CCHC_DIEM_KHOI = NotAvailable(RowCount(codes))
End Function

Public Function CCHC_DIEM(code As Variant, a As Variant, b As Variant, value As Variant, _
                          na As Variant, supp As Variant, catalogue As Variant) As Variant
    On Error GoTo Failed
    CCHC_DIEM = CallPython("CCHC_DIEM", Array(code, a, b, value, na, supp, catalogue))
    Exit Function
Failed:
    CCHC_DIEM = CVErr(ERR_NA)
End Function

Private Function CallPython(ByVal funcName As String, ByVal args As Variant) As Variant
    Dim py As Object
    Set py = Application.Run(XLWINGS_ADDIN & "!XLPy")
    CallPython = py.CallUDF(UDF_MODULE, funcName, args, ThisWorkbook, Application.Caller)
End Function

' One #N/A per row of `codes`, so every row of a block falls back, not only the first.
Private Function NotAvailable(ByVal rows As Long) As Variant
    Dim result() As Variant, i As Long
    If rows < 1 Then rows = 1
    ReDim result(1 To rows, 1 To 1)
    For i = 1 To rows
        result(i, 1) = CVErr(ERR_NA)
    Next i
    NotAvailable = result
End Function

Private Function RowCount(ByVal codes As Variant) As Long
    On Error GoTo Unknown
    If IsObject(codes) Then
        RowCount = codes.Rows.Count
    ElseIf IsArray(codes) Then
        RowCount = UBound(codes, 1) - LBound(codes, 1) + 1
    Else
        RowCount = 1
    End If
    Exit Function
Unknown:
    RowCount = 1
End Function
