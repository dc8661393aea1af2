Option Explicit

' The master's buttons, in the order of the year: the self-assessment round (split, merge, check,
' sync), the report and the appraisal, the remediation plan (plan, split-plan, progress). Each one
' asks for what it needs (a folder, a file name, the sheets' password when they have one), saves
' the workbook, then runs Python through the xlwings add-in:
'     Application.Run "xlwings.xlam!RunPython", "import cchc_xl.excel.bridge as b; b.run_button(...)"
' without a VBA reference to the add-in (this project has none). RunPython works on the
' ActiveWorkbook, so this workbook is activated first. Vietnamese text: see CchcCommon.

Public Sub CchcTaoFileDonVi()
    Dim folder As String
    ' ~ Chon thu muc de luu cac file gui don vi
    folder = PickFolder(VN("Ch\u1ecdn th\u01b0 m\u1ee5c \u0111\u1ec3 l\u01b0u c\u00e1c file g\u1eedi \u0111\u01a1n ") & _
            VN("v\u1ecb"))
    If folder <> "" Then RunButton "split", Array(folder)
End Sub

' Score returns and plan returns alike (Python tells them apart).
Public Sub CchcGopDuLieu()
    Dim folder As String, password As String
    ' ~ Chon thu muc chua cac file don vi gui ve
    folder = PickFolder(VN("Ch\u1ecdn th\u01b0 m\u1ee5c ch\u1ee9a c\u00e1c file \u0111\u01a1n v\u1ecb g\u1eedi ") & _
            VN("v\u1ec1"))
    If folder = "" Then Exit Sub
    If Not AskPassword(password) Then Exit Sub
    RunButton "merge", Array(folder), password
End Sub

Public Sub CchcKiemTra()
    RunButton "check", Array()
End Sub

Public Sub CchcDongBo()
    Dim password As String
    If Not AskPassword(password) Then Exit Sub
    RunButton "sync", Array(), password
End Sub

' The report, then whether to gather the evidence package: Python puts it in the folder
' tai-lieu-kiem-chung beside the report (cchc_xl.excel.buttons.EVIDENCE_FOLDER).
Public Sub CchcBaoCaoTuDanhGia()
    Dim target As Variant, evidence As String
    ' ~ Luu bao cao tu danh gia (Word hoac Excel)
    target = Application.GetSaveAsFilename( _
        InitialFileName:=ThisWorkbook.Path & Application.PathSeparator & "bao-cao-tu-danh-gia.docx", _
        FileFilter:="Word (*.docx),*.docx,Excel (*.xlsx),*.xlsx", _
        Title:=VN("L\u01b0u b\u00e1o c\u00e1o t\u1ef1 \u0111\u00e1nh gi\u00e1 (Word ho\u1eb7c Excel)"))
    If VarType(target) = vbBoolean Then Exit Sub ' cancelled
    ' ~ Co lap goi tai lieu kiem chung khong? /  / Co: chep cac tep ghi trong sheet 'Tai lieu kiem
    ' ~ chung' vao thu muc tai-lieu-kiem-chung canh tep bao cao, moi ma tieu chi mot thu muc, kem
    ' ~ danh muc. / Khong: chi xuat bao cao.
    If AskYesNo(VN("C\u00f3 l\u1eadp g\u00f3i t\u00e0i li\u1ec7u ki\u1ec3m ch\u1ee9ng ") & _
            VN("kh\u00f4ng?\n\nC\u00f3: ch\u00e9p c\u00e1c t\u1ec7p ghi trong sheet 'T\u00e0i ") & _
            VN("li\u1ec7u ki\u1ec3m ch\u1ee9ng' v\u00e0o th\u01b0 m\u1ee5c ") & _
            VN("tai-lieu-kiem-chung c\u1ea1nh t\u1ec7p b\u00e1o c\u00e1o, m\u1ed7i m\u00e3 ") & _
            VN("ti\u00eau ch\u00ed m\u1ed9t th\u01b0 m\u1ee5c, k\u00e8m danh ") & _
            VN("m\u1ee5c.\nKh\u00f4ng: ch\u1ec9 xu\u1ea5t b\u00e1o c\u00e1o.")) Then evidence = "1"
    RunButton "report", Array(CStr(target), evidence)
End Sub

' Writes the appraised points into the open workbook, like merge and sync: asks for the password.
Public Sub CchcNhapDiemThamDinh()
    Dim council As String, password As String
    ' ~ Chon tep ket qua tham dinh cua Hoi dong tham dinh
    ' ~ Bang tinh
    council = PickFile(VN("Ch\u1ecdn t\u1ec7p k\u1ebft qu\u1ea3 th\u1ea9m \u0111\u1ecbnh c\u1ee7a ") & _
            VN("H\u1ed9i \u0111\u1ed3ng th\u1ea9m \u0111\u1ecbnh"), VN("B\u1ea3ng t\u00ednh"), _
            "*.xlsx;*.xlsm;*.xls;*.ods")
    If council = "" Then Exit Sub
    If Not AskPassword(password) Then Exit Sub
    RunButton "appraisal", Array(council), password
End Sub

Public Sub CchcXuatKeHoach()
    Dim target As Variant
    ' ~ Luu ke hoach khac phuc (Word hoac Excel)
    target = Application.GetSaveAsFilename( _
        InitialFileName:=ThisWorkbook.Path & Application.PathSeparator & "ke-hoach-khac-phuc.docx", _
        FileFilter:="Word (*.docx),*.docx,Excel (*.xlsx),*.xlsx", _
        Title:=VN("L\u01b0u k\u1ebf ho\u1ea1ch kh\u1eafc ph\u1ee5c (Word ho\u1eb7c Excel)"))
    If VarType(target) = vbBoolean Then Exit Sub ' cancelled
    RunButton "plan", Array(CStr(target))
End Sub

Public Sub CchcTaoFileKeHoach()
    Dim folder As String
    ' ~ Chon thu muc de luu cac file ke hoach khac phuc gui don vi
    folder = PickFolder(VN("Ch\u1ecdn th\u01b0 m\u1ee5c \u0111\u1ec3 l\u01b0u c\u00e1c file k\u1ebf ") & _
            VN("ho\u1ea1ch kh\u1eafc ph\u1ee5c g\u1eedi \u0111\u01a1n v\u1ecb"))
    If folder <> "" Then RunButton "split-plan", Array(folder)
End Sub

' The progress as of today; the suggested name carries the date, so each report keeps its own.
Public Sub CchcBaoCaoTienDo()
    Dim target As Variant
    ' ~ Luu bao cao tien do khac phuc (Word hoac Excel)
    target = Application.GetSaveAsFilename( _
        InitialFileName:=ThisWorkbook.Path & Application.PathSeparator & "tien-do-khac-phuc-" & _
            Format$(Date, "yyyy-mm-dd") & ".docx", _
        FileFilter:="Word (*.docx),*.docx,Excel (*.xlsx),*.xlsx", _
        Title:=VN("L\u01b0u b\u00e1o c\u00e1o ti\u1ebfn \u0111\u1ed9 kh\u1eafc ph\u1ee5c (Word ") & _
            VN("ho\u1eb7c Excel)"))
    If VarType(target) = vbBoolean Then Exit Sub ' cancelled
    RunButton "progress", Array(CStr(target))
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

' File picker (msoFileDialogFilePicker = 3) showing the files that match `patterns`
' ("*.xlsx;*.xls"); "" when cancelled.
Private Function PickFile(ByVal title As String, ByVal kind As String, _
                          ByVal patterns As String) As String
    Dim dialog As Object
    Set dialog = Application.FileDialog(3)
    dialog.Title = title
    dialog.AllowMultiSelect = False
    dialog.Filters.Clear
    dialog.Filters.Add kind, patterns
    If ThisWorkbook.Path <> "" Then
        dialog.InitialFileName = ThisWorkbook.Path & Application.PathSeparator
    End If
    If dialog.Show = -1 Then PickFile = dialog.SelectedItems(1)
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

' arguments: Array(...) of the handler's arguments after the master's path (Array() for none).
' Merge, sync and appraisal write into the sheets, so on a master protected with a password they
' pass it last (Python checks it against the saved file before writing anything); "" passes
' nothing.
Private Sub RunButton(ByVal action As String, ByVal arguments As Variant, _
                      Optional ByVal password As String = "")
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
            VN("install ""cchc-xl[excel]"" tr\u01b0\u1edbc.)"), vbCritical
        Exit Sub
    End If

    On Error GoTo SaveFailed
    ThisWorkbook.Activate
    If Not ThisWorkbook.Saved Then ThisWorkbook.Save
    On Error GoTo 0

    On Error GoTo RunFailed
    Application.Run XLWINGS_ADDIN & "!RunPython", PythonCommand(action, arguments, password)
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
    ' ~ install "cchc-xl[excel]"); / - da cai add-in (xlwings addin install) va tab xlwings co tren
    ' ~ thanh cong cu; / - Excel cho phep chay macro (Trust Center - Trung tam Tin cay). /  / Chi
    ' ~ tiet loi
    ShowMessage VN("Kh\u00f4ng ch\u1ea1y \u0111\u01b0\u1ee3c Python qua xlwings add-in. H\u00e3y ki\u1ec3m ") & _
            VN("tra:\n- \u0111\u00e3 c\u00e0i Python v\u00e0 cchc-xl (pip install ""cchc-xl[excel]"");\n- \u0111\u00e3 ") & _
            VN("c\u00e0i add-in (xlwings addin install) v\u00e0 tab xlwings c\u00f3 tr\u00ean thanh ") & _
            VN("c\u00f4ng c\u1ee5;\n- Excel cho ph\u00e9p ch\u1ea1y macro (Trust Center - Trung t\u00e2m Tin c\u1eady).\n\nChi ") & _
            VN("ti\u1ebft l\u1ed7i ") & Err.Number & ": " & Err.Description, vbCritical
End Sub

' What RunPython runs: b.run_button(action, argument..., [password]), every text as PyLiteral.
Private Function PythonCommand(ByVal action As String, ByVal arguments As Variant, _
                               ByVal password As String) As String
    Dim command As String, i As Long
    command = "import cchc_xl.excel.bridge as b; b.run_button(" & PyLiteral(action)
    For i = LBound(arguments) To UBound(arguments)
        command = command & ", " & PyLiteral(CStr(arguments(i)))
    Next i
    If password <> "" Then command = command & ", " & PyLiteral(password)
    PythonCommand = command & ")"
End Function
