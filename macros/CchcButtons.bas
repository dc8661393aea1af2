Option Explicit

' The master's buttons. Each one asks for what it needs (a folder, a file name, the sheets'
' password when they have one), saves the workbook, then runs Python through the xlwings add-in:
'     Application.Run "xlwings.xlam!RunPython", "import cchc_xl.excel.bridge as b; b.run_button(...)"
' without a VBA reference to the add-in (this project has none). RunPython works on the
' ActiveWorkbook, so this workbook is activated first. Vietnamese text: see CchcCommon.

Public Sub CchcTaoFileDonVi()
    Dim folder As String
    ' ~ Chon thu muc de luu cac file gui don vi
    folder = PickFolder(VN("Ch\u1ecdn th\u01b0 m\u1ee5c \u0111\u1ec3 l\u01b0u c\u00e1c file g\u1eedi \u0111\u01a1n ") & _
            VN("v\u1ecb"))
    If folder <> "" Then RunButton "split", folder, True
End Sub

Public Sub CchcGopDuLieu()
    Dim folder As String, password As String
    ' ~ Chon thu muc chua cac file don vi gui ve
    folder = PickFolder(VN("Ch\u1ecdn th\u01b0 m\u1ee5c ch\u1ee9a c\u00e1c file \u0111\u01a1n v\u1ecb g\u1eedi ") & _
            VN("v\u1ec1"))
    If folder = "" Then Exit Sub
    If Not AskPassword(password) Then Exit Sub
    RunButton "merge", folder, True, password
End Sub

Public Sub CchcDongBo()
    Dim password As String
    If Not AskPassword(password) Then Exit Sub
    RunButton "sync", "", False, password
End Sub

Public Sub CchcXuatKeHoach()
    Dim target As Variant
    ' ~ Luu ke hoach khac phuc (Word hoac Excel)
    target = Application.GetSaveAsFilename( _
        InitialFileName:=ThisWorkbook.Path & Application.PathSeparator & "ke-hoach-khac-phuc.docx", _
        FileFilter:="Word (*.docx),*.docx,Excel (*.xlsx),*.xlsx", _
        Title:=VN("L\u01b0u k\u1ebf ho\u1ea1ch kh\u1eafc ph\u1ee5c (Word ho\u1eb7c Excel)"))
    If VarType(target) = vbBoolean Then Exit Sub ' cancelled
    RunButton "plan", CStr(target), True
End Sub

Public Sub CchcKiemTra()
    RunButton "check"
End Sub

' Folder picker (msoFileDialogFolderPicker = 4); "" when cancelled.
Private Function PickFolder(ByVal title As String) As String
    Dim dialog As Object
    Set dialog = Application.FileDialog(4)
    dialog.Title = title
    dialog.AllowMultiSelect = False
    If ThisWorkbook.Path <> "" Then
        dialog.InitialFileName = ThisWorkbook.Path & Application.PathSeparator
    End If
    If dialog.Show = -1 Then PickFolder = dialog.SelectedItems(1)
End Function

' The sheets' password, asked only when a sheet is protected with one (a master made with
' cchc-xl new --password); "" otherwise. False: the user cancelled. Excel's InputBox cannot hide
' what is typed; it is used because VBA's own InputBox turns Vietnamese letters into "?".
Private Function AskPassword(ByRef password As String) As Boolean
    Dim answer As Variant
    password = ""
    AskPassword = True
    If Not HasSheetPassword() Then Exit Function
    ' ~ Cac sheet cua tep tong hop duoc bao ve bang mat khau. Go mat khau de nut ghi duoc du lieu
    ' ~ (phan biet chu hoa, chu thuong):
    answer = Application.InputBox(VN("C\u00e1c sheet c\u1ee7a t\u1ec7p t\u1ed5ng h\u1ee3p \u0111\u01b0\u1ee3c ") & _
            VN("b\u1ea3o v\u1ec7 b\u1eb1ng m\u1eadt kh\u1ea9u. G\u00f5 m\u1eadt kh\u1ea9u \u0111\u1ec3 ") & _
            VN("n\u00fat ghi \u0111\u01b0\u1ee3c d\u1eef li\u1ec7u (ph\u00e2n bi\u1ec7t ch\u1eef hoa, ") & _
            VN("ch\u1eef th\u01b0\u1eddng):"), VN("cchc-xl: m\u1eadt kh\u1ea9u"), Type:=2)
    If VarType(answer) = vbBoolean Then
        AskPassword = False ' cancelled
    Else
        password = CStr(answer)
    End If
End Function

' Whether the first protected sheet refuses an empty password.
Private Function HasSheetPassword() As Boolean
    Dim ws As Object
    For Each ws In ThisWorkbook.Worksheets
        If ws.ProtectContents Then
            HasSheetPassword = Not UnprotectsWithoutPassword(ws)
            Exit Function
        End If
    Next ws
End Function

' Unprotect "" fails on a sheet with a password (without asking) and succeeds on one without; the
' sheet is then protected again at once with the options it had, and the workbook keeps its
' saved state.
Private Function UnprotectsWithoutPassword(ByVal ws As Object) As Boolean
    Dim wasSaved As Boolean, drawing As Boolean, scenarios As Boolean, selectable As Long
    Dim fCells As Boolean, fColumns As Boolean, fRows As Boolean, iColumns As Boolean
    Dim iRows As Boolean, iLinks As Boolean, dColumns As Boolean, dRows As Boolean
    Dim sorting As Boolean, filtering As Boolean, pivots As Boolean
    wasSaved = ThisWorkbook.Saved
    drawing = ws.ProtectDrawingObjects
    scenarios = ws.ProtectScenarios
    selectable = ws.EnableSelection
    With ws.Protection
        fCells = .AllowFormattingCells
        fColumns = .AllowFormattingColumns
        fRows = .AllowFormattingRows
        iColumns = .AllowInsertingColumns
        iRows = .AllowInsertingRows
        iLinks = .AllowInsertingHyperlinks
        dColumns = .AllowDeletingColumns
        dRows = .AllowDeletingRows
        sorting = .AllowSorting
        filtering = .AllowFiltering
        pivots = .AllowUsingPivotTables
    End With
    On Error GoTo HasPassword
    ws.Unprotect ""
    On Error GoTo 0
    ws.Protect "", drawing, True, scenarios, False, fCells, fColumns, fRows, iColumns, iRows, _
        iLinks, dColumns, dRows, sorting, filtering, pivots
    ws.EnableSelection = selectable
    ThisWorkbook.Saved = wasSaved
    UnprotectsWithoutPassword = True
    Exit Function
HasPassword:
    UnprotectsWithoutPassword = False
End Function

' Merge and sync write into the sheets, so on a master protected with a password they pass it
' last (Python checks it against the saved file before writing anything); "" passes nothing.
Private Sub RunButton(ByVal action As String, Optional ByVal argument As String = "", _
                      Optional ByVal hasArgument As Boolean = False, _
                      Optional ByVal password As String = "")
    Dim command As String

    If ThisWorkbook.Path = "" Then
        ' ~ Hay luu tep tong hop vao mot thu muc tren may (vi du D:\CCHC\2026\tong-hop) roi bam lai
        ' ~ nut.
        ShowMessage VN("H\u00e3y l\u01b0u t\u1ec7p t\u1ed5ng h\u1ee3p v\u00e0o m\u1ed9t th\u01b0 m\u1ee5c ") & _
            VN("tr\u00ean m\u00e1y (v\u00ed d\u1ee5 D:\u005cCCHC\u005c2026\u005ctong-hop) r\u1ed3i ") & _
            VN("b\u1ea5m l\u1ea1i n\u00fat."), vbExclamation
        Exit Sub
    End If
    If Not AddinLoaded() Then
        ' ~ Chua cai xlwings add-in: mo Command Prompt va chay: xlwings addin install /  / Sau do
        ' ~ dong han Excel, mo lai tep nay va bam lai nut. (Neu lenh xlwings khong chay duoc: cai
        ' ~ Python va chay pip install "cchc-xl[excel]" truoc.)
        ShowMessage VN("Ch\u01b0a c\u00e0i xlwings add-in: m\u1edf Command Prompt v\u00e0 ch\u1ea1y: xlwings ") & _
            VN("addin install\n\nSau \u0111\u00f3 \u0111\u00f3ng h\u1eb3n Excel, m\u1edf l\u1ea1i ") & _
            VN("t\u1ec7p n\u00e0y v\u00e0 b\u1ea5m l\u1ea1i n\u00fat. (N\u1ebfu l\u1ec7nh xlwings ") & _
            VN("kh\u00f4ng ch\u1ea1y \u0111\u01b0\u1ee3c: c\u00e0i Python v\u00e0 ch\u1ea1y pip ") & _
            VN("install cchc-xl tr\u01b0\u1edbc.)"), vbCritical
        Exit Sub
    End If

    On Error GoTo SaveFailed
    ThisWorkbook.Activate
    If Not ThisWorkbook.Saved Then ThisWorkbook.Save
    On Error GoTo 0

    command = "import cchc_xl.excel.bridge as b; b.run_button(" & PyLiteral(action)
    If hasArgument Then command = command & ", " & PyLiteral(argument)
    If password <> "" Then command = command & ", " & PyLiteral(password)
    command = command & ")"

    On Error GoTo RunFailed
    Application.Run XLWINGS_ADDIN & "!RunPython", command
    Exit Sub

SaveFailed:
    ' ~ Khong luu duoc tep truoc khi chay (tep dang mo o che do chi doc, hoac nam trong thu muc
    ' ~ khong duoc ghi). Hay luu tep vao thu muc lam viec roi bam lai nut. /  / Chi tiet:
    ShowMessage VN("Kh\u00f4ng l\u01b0u \u0111\u01b0\u1ee3c t\u1ec7p tr\u01b0\u1edbc khi ch\u1ea1y (t\u1ec7p ") & _
            VN("\u0111ang m\u1edf \u1edf ch\u1ebf \u0111\u1ed9 ch\u1ec9 \u0111\u1ecdc, ho\u1eb7c ") & _
            VN("n\u1eb1m trong th\u01b0 m\u1ee5c kh\u00f4ng \u0111\u01b0\u1ee3c ghi). H\u00e3y l\u01b0u ") & _
            VN("t\u1ec7p v\u00e0o th\u01b0 m\u1ee5c l\u00e0m vi\u1ec7c r\u1ed3i b\u1ea5m l\u1ea1i ") & _
            VN("n\u00fat.\n\nChi ti\u1ebft: ") & Err.Description, vbExclamation
    Exit Sub
RunFailed:
    ' ~ Khong chay duoc Python qua xlwings add-in. Hay kiem tra: / - da cai Python va cchc-xl (pip
    ' ~ install cchc-xl); / - da cai add-in (xlwings addin install) va tab xlwings co tren thanh
    ' ~ cong cu; / - Excel cho phep chay macro (Trust Center). /  / Chi tiet loi
    ShowMessage VN("Kh\u00f4ng ch\u1ea1y \u0111\u01b0\u1ee3c Python qua xlwings add-in. H\u00e3y ki\u1ec3m ") & _
            VN("tra:\n- \u0111\u00e3 c\u00e0i Python v\u00e0 cchc-xl (pip install ""cchc-xl[excel]"");\n- \u0111\u00e3 ") & _
            VN("c\u00e0i add-in (xlwings addin install) v\u00e0 tab xlwings c\u00f3 tr\u00ean thanh ") & _
            VN("c\u00f4ng c\u1ee5;\n- Excel cho ph\u00e9p ch\u1ea1y macro (Trust Center).\n\nChi ") & _
            VN("ti\u1ebft l\u1ed7i ") & Err.Number & ": " & Err.Description, vbCritical
End Sub
