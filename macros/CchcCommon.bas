Option Explicit
Option Private Module

' Helpers shared by the cchc-xl modules: Vietnamese text, messages, the link to xlwings.
'
' This file must stay ASCII (VBA keeps source in the ANSI code page), so Vietnamese text is
' written with \uXXXX escapes (and \n for a new line) and decoded at run time by VN():
'     VN("Ch\u01b0a c\u00e0i") -> "Chua cai" with its diacritics
' To escape a text, in Python: cchc_xl.build.macros.vba_text("...").

Public Const CCHC_TITLE As String = "cchc-xl"
Public Const XLWINGS_ADDIN As String = "xlwings.xlam"

Private Const POPUP_SYSTEM_MODAL As Long = 4096

' Decodes \uXXXX (one UTF-16 code unit, 4 hex digits) and \n; other characters are copied.
Public Function VN(ByVal s As String) As String
    Dim i As Long, ch As String, nextCh As String, result As String
    i = 1
    Do While i <= Len(s)
        ch = Mid$(s, i, 1)
        nextCh = Mid$(s, i + 1, 1)
        If ch = "\" And nextCh = "u" Then
            result = result & ChrW(CLng("&H" & Mid$(s, i + 2, 4)))
            i = i + 6
        ElseIf ch = "\" And nextCh = "n" Then
            result = result & vbLf
            i = i + 2
        Else
            result = result & ch
            i = i + 1
        End If
    Loop
    VN = result
End Function

' A message box that shows Vietnamese correctly. VBA's MsgBox converts its text to the ANSI
' code page (Vietnamese letters become '?'); WScript.Shell.Popup takes Unicode. The xlwings
' add-in itself needs WScript.Shell, so it is there whenever the buttons can work at all.
' icon: vbCritical (16), vbExclamation (48) or vbInformation (64).
Public Sub ShowMessage(ByVal message As String, Optional ByVal icon As Long = 64)
    On Error GoTo Fallback
    Dim wsh As Object
    Set wsh = CreateObject("WScript.Shell")
    wsh.Popup message, 0, CCHC_TITLE, icon + POPUP_SYSTEM_MODAL
    Exit Sub
Fallback:
    MsgBox message, icon, CCHC_TITLE
End Sub

' A Yes/No question (Yes is the default), shown like ShowMessage so Vietnamese stays readable.
' True: the user answered Yes.
Public Function AskYesNo(ByVal question As String) As Boolean
    Dim answer As Long
    On Error GoTo Fallback
    Dim wsh As Object
    Set wsh = CreateObject("WScript.Shell")
    answer = wsh.Popup(question, 0, CCHC_TITLE, vbYesNo + vbQuestion + POPUP_SYSTEM_MODAL)
    AskYesNo = (answer = vbYes)
    Exit Function
Fallback:
    AskYesNo = (MsgBox(question, vbYesNo + vbQuestion, CCHC_TITLE) = vbYes)
End Function

' Whether the xlwings add-in is open in this Excel.
Public Function AddinLoaded() As Boolean
    Dim book As Object
    On Error Resume Next
    Set book = Application.Workbooks(XLWINGS_ADDIN)
    AddinLoaded = Not (book Is Nothing)
End Function

' A Python string literal for any text: letters, digits, space and - . : _ as they are,
' everything else as \uXXXX. So a path may hold ' " % & ^ \ or Vietnamese letters and still
' survive the add-in's command line (python -c "...") and Python's parser. Characters outside
' the BMP arrive as surrogate pairs; cchc_xl.excel.bridge joins them again.
Public Function PyLiteral(ByVal s As String) As String
    Dim i As Long, code As Long, result As String
    For i = 1 To Len(s)
        code = AscW(Mid$(s, i, 1)) And &HFFFF&
        Select Case code
            Case 48 To 57, 65 To 90, 97 To 122, 32, 45, 46, 58, 95
                result = result & ChrW(code)
            Case Else
                result = result & "\u" & Right$("000" & Hex$(code), 4)
        End Select
    Next i
    PyLiteral = "'" & result & "'"
End Function

' The descriptions Excel's function wizard shows for the UDF wrappers in CchcUdfs.
Public Sub CchcRegisterFunctions()
    Dim wasSaved As Boolean
    wasSaved = ThisWorkbook.Saved
    On Error Resume Next
    ' ~ Diem tu cham cua ca mot sheet linh vuc, tinh bang Python (can xlwings add-in).
    ' ~ cchc-xl: Chi so CCHC
    ' ~ Cot ma tieu chi (n dong)
    ' ~ Cac cot a, b, Gia tri, Khong cham diem, Giai trinh bo sung (n dong x 5 cot)
    ' ~ Bo tieu chi: CCHC_CATALOGUE
    Application.MacroOptions Macro:="CCHC_DIEM_KHOI", _
        Description:=VN("\u0110i\u1ec3m t\u1ef1 ch\u1ea5m c\u1ee7a c\u1ea3 m\u1ed9t sheet l\u0129nh v\u1ef1c, ") & _
            VN("t\u00ednh b\u1eb1ng Python (c\u1ea7n xlwings add-in)."), _
        Category:=VN("cchc-xl: Ch\u1ec9 s\u1ed1 CCHC"), _
        ArgumentDescriptions:=Array(VN("C\u1ed9t m\u00e3 ti\u00eau ch\u00ed (n d\u00f2ng)"), _
            VN("C\u00e1c c\u1ed9t a, b, Gi\u00e1 tr\u1ecb, Kh\u00f4ng ch\u1ea5m \u0111i\u1ec3m, ") & _
            VN("Gi\u1ea3i tr\u00ecnh b\u1ed5 sung (n d\u00f2ng \u00d7 5 c\u1ed9t)"), _
            VN("B\u1ed9 ti\u00eau ch\u00ed: CCHC_CATALOGUE"))
    ' ~ Diem tu cham cua mot tieu chi thanh phan, tinh bang Python (can xlwings add-in).
    ' ~ cchc-xl: Chi so CCHC
    ' ~ Ma tieu chi
    ' ~ a: tong so
    ' ~ b: so dat
    ' ~ Gia tri hoac lua chon
    ' ~ Khong cham diem: x hoac trong
    ' ~ Giai trinh bo sung: x hoac trong
    ' ~ Bo tieu chi: CCHC_CATALOGUE
    Application.MacroOptions Macro:="CCHC_DIEM", _
        Description:=VN("\u0110i\u1ec3m t\u1ef1 ch\u1ea5m c\u1ee7a m\u1ed9t ti\u00eau ch\u00ed th\u00e0nh ") & _
            VN("ph\u1ea7n, t\u00ednh b\u1eb1ng Python (c\u1ea7n xlwings add-in)."), _
        Category:=VN("cchc-xl: Ch\u1ec9 s\u1ed1 CCHC"), _
        ArgumentDescriptions:=Array(VN("M\u00e3 ti\u00eau ch\u00ed"), VN("a: t\u1ed5ng s\u1ed1"), VN("b: s\u1ed1 \u0111\u1ea1t"), _
            VN("Gi\u00e1 tr\u1ecb ho\u1eb7c l\u1ef1a ch\u1ecdn"), VN("Kh\u00f4ng ch\u1ea5m \u0111i\u1ec3m: x ho\u1eb7c tr\u1ed1ng"), _
            VN("Gi\u1ea3i tr\u00ecnh b\u1ed5 sung: x ho\u1eb7c tr\u1ed1ng"), VN("B\u1ed9 ti\u00eau ch\u00ed: CCHC_CATALOGUE"))
    ThisWorkbook.Saved = wasSaved
End Sub

' Starts the add-in's Python server and imports the UDF module, so the first recalculation
' does not wait for it. An optimisation only: every error is ignored.
Public Sub CchcWarmUp()
    Dim py As Object
    On Error Resume Next
    If Not AddinLoaded() Then Exit Sub
    Set py = Application.Run(XLWINGS_ADDIN & "!XLPy")
    If Not (py Is Nothing) Then py.Exec "import cchc_xl.excel.udfs"
End Sub
