Option Explicit

' Function-wizard descriptions for the UDFs, then an optional warm-up of Python so the first
' recalculation is quick. Both are optimisations: errors are ignored (see CchcCommon).
Private Sub Workbook_Open()
    On Error Resume Next
    CchcRegisterFunctions
    CchcWarmUp
End Sub
