"""Operating-system errors said in Vietnamese, with what to do."""

from __future__ import annotations

import errno

_REASONS = {
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không có quyền truy cập",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EDQUOT: "đã hết dung lượng được cấp trên ổ đĩa",
    errno.ENOENT: "không tìm thấy tệp hoặc thư mục",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EBUSY: "tệp đang được chương trình khác dùng",
    errno.EISDIR: "đây là thư mục, không phải tệp",
    errno.ENAMETOOLONG: "tên tệp hoặc đường dẫn quá dài",
    errno.EIO: "lỗi đọc/ghi ổ đĩa",
}
_ADVICE = {
    errno.ENOSPC: "hãy giải phóng dung lượng đĩa hoặc chọn ổ khác",
    errno.EDQUOT: "hãy giải phóng dung lượng đĩa hoặc chọn ổ khác",
    errno.EACCES: "hãy xin quyền ghi thư mục hoặc chọn thư mục khác",
    errno.EPERM: "hãy xin quyền ghi thư mục hoặc chọn thư mục khác",
    errno.EROFS: "hãy chép tệp sang ổ đĩa ghi được",
    errno.EBUSY: "hãy đóng chương trình đang mở tệp rồi chạy lại",
}


def reason(exc: OSError) -> str:
    """'ổ đĩa đã đầy' for ENOSPC …; the system's own words for anything else."""
    return _REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def advice(exc: OSError) -> str:
    return _ADVICE.get(exc.errno or 0, "hãy kiểm tra dung lượng đĩa và quyền ghi")
