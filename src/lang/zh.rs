//! The Chinese catalogue: English template -> Chinese template, in the articles' terms
//! (主动模式, 被动模式, 三次握手, 四次挥手, 控制连接, 数据连接, 客户端, 服务器, 半关闭, 响应码).
//! Hole syntax: see [`super::template`]. RFC 793 state names and flags stay as they are.

/// Every entry. A new English string of the report needs an entry here (the test
/// `tests/lang_zh.rs` lists those that have none).
pub(super) const ENTRIES: &[(&str, &str)] = &[
    // --- roles, modes, small words (used by {t} holes) ---
    ("client", "客户端"),
    ("server", "服务器"),
    ("active", "主动模式"),
    ("passive", "被动模式"),
    ("active mode", "主动模式"),
    ("passive mode", "被动模式"),
    ("{n} byte[s]", "{} 字节"),
    ("{n} B", "{} B"),
    ("complete", "完成"),
    ("aborted", "已中止"),
    ("failed", "失败"),
    ("incomplete", "未完成"),
    ("success", "成功"),
    ("unknown", "未知"),
    ("not captured", "未抓到"),
    ("live capture", "实时抓包"),
    ("live", "实时"),
    ("server → client", "服务器 → 客户端"),
    ("client → server", "客户端 → 服务器"),
    ("server → client (listing)", "服务器 → 客户端（目录列表）"),
    ("{t} {s}", "{} {}"),
    ("{t} {s}, {t} {s}", "{} {}，{} {}"),
    // --- timeline header ---
    (
        "capture starts {}; times below are seconds since then",
        "抓包开始于 {}；下面的时间是从这一刻起的秒数",
    ),
    (
        "Session {n}  client {} → server {}",
        "会话 {}  客户端 {} → 服务器 {}",
    ),
    (
        "━━ Session {n}  client {} → server {} ━━",
        "━━ 会话 {}  客户端 {} → 服务器 {} ━━",
    ),
    (
        "step        time   frame  connection",
        "步骤        时间    帧号  连接",
    ),
    // --- step heads (after the connection label) ---
    (
        "handshake {n}/3  {}   (sent again, try {n})",
        "三次握手 第{}步  {}   （重发，第 {} 次）",
    ),
    ("handshake {n}/3  {}", "三次握手 第{}步  {}"),
    ("close {n}/4  {}", "四次挥手 第{}步  {}"),
    ("close {n}/4?  {}", "四次挥手 第{}步?  {}"),
    ("close {n}/3  {}", "三次挥手 第{}步  {}"),
    ("close {n}/3?  {}", "三次挥手 第{}步?  {}"),
    ("close {n}/{n}  {}", "关闭 {}/{}  {}"),
    ("close {n}/{n}?  {}", "关闭 {}/{}?  {}"),
    (
        "transfer  {}: {t} {t} in {n} segment[s], {}",
        "传输  {}：{}，{}，共 {} 个数据段，用时 {}",
    ),
    (
        "transfer  {}: no data, the connection was never established ({t}, state {})",
        "传输  {}：没有数据，连接从未建立（{}，状态 {}）",
    ),
    ("refused with RST", "被 RST 拒绝"),
    ("the SYN was never answered", "SYN 一直没有应答"),
    ("segment  {} → {}  {t}", "数据段  {} → {}  {}"),
    ("no payload", "无载荷"),
    ("{t} at offset {n}", "{}，偏移 {}"),
    ("{t} ({t})", "{}（{}）"),
    ("retransmission", "重传"),
    ("partial overlap", "部分重叠"),
    ("out of order", "乱序"),
    // --- handshake and close words ---
    (
        "the client opens the control connection to port {n}",
        "客户端向服务器的 {} 端口发起控制连接（TCP 三次握手第一次）",
    ),
    (
        "active mode: the server opens the data connection from its port 20",
        "主动模式：服务器用自己的 20 端口（数据端口）主动向客户端发起数据连接",
    ),
    (
        "active mode: the server opens the data connection (from port {n}, not 20)",
        "主动模式：服务器主动发起数据连接（从 {} 端口，而不是 20）",
    ),
    (
        "passive mode: the client opens the data connection to the port the server announced",
        "被动模式：客户端向服务器告知的端口发起数据连接",
    ),
    ("the {t} opens the data connection", "{}发起数据连接"),
    ("the {t} accepts", "{}接受连接（SYN+ACK）"),
    (
        "connection established; handshake RTT {}",
        "连接建立；握手往返时间（RTT）{}",
    ),
    ("connection established", "连接建立"),
    (
        "no SYN-ACK came back in time: the client retransmits its SYN",
        "没有及时收到 SYN-ACK：客户端重发 SYN",
    ),
    (
        "no SYN-ACK came back in time: the {t} retransmits its SYN",
        "没有及时收到 SYN-ACK：{}重发 SYN",
    ),
    (
        "the {t} refuses the connection: a reset answers the SYN, nothing listens on port {n}",
        "{}拒绝连接：用 RST 回应 SYN，{} 端口上没有程序监听",
    ),
    ("the {t} resets the connection ({t})", "{}重置连接（{}）"),
    (
        "the {t} closes first: no more data from it ({t})",
        "{}先断开：它不再发送数据（{}）",
    ),
    (
        "the {t} closes its direction too ({t})",
        "{}也断开自己这个方向（{}）",
    ),
    (
        "the {t} acknowledges: the {t}→{t} direction is closed, the {t} may still send (half-close; {t})",
        "{0}确认：{1}到{2}方向已断开，{3}仍可发送（半关闭；{4}）",
    ),
    ("closed ({t})", "连接完全断开（{}）"),
    // --- command words ---
    (
        "inferred: the command is in bytes missing from the capture; its reply names it",
        "推断：命令在抓包缺失的字节里；由它的响应得知",
    ),
    (
        "password masked; --show-passwords shows it",
        "密码已隐藏；--show-passwords 可显示",
    ),
    ("the client listens on {} ({})", "客户端在 {} 上监听（{}）"),
    ("the client listens on {}", "客户端在 {} 上监听"),
    ("the server listens on {} ({})", "服务器在 {} 上监听（{}）"),
    ("the server listens on {}", "服务器在 {} 上监听"),
    ("starts transfer {n}", "开始第 {} 次传输"),
    (
        "preceded by Telnet IP and DM (urgent), as RFC 959 asks for ABOR",
        "前面有 Telnet IP 和 DM（紧急数据），符合 RFC 959 对 ABOR 的要求",
    ),
    ("no command was waiting for it", "没有等待它的命令"),
    ("answers {}", "回应 {}"),
    ("not an FTP reply", "不是 FTP 响应"),
    ("not a reply", "不是响应"),
    (
        "{t}; it answers a command from before the capture started",
        "{}；它回应的是抓包开始之前的命令",
    ),
    // --- reply code meanings (响应码) ---
    (
        "restart marker: where an interrupted transfer can be resumed",
        "重启标记：中断的传输可以从这里继续",
    ),
    (
        "service not ready yet: try again in the given number of minutes",
        "服务尚未就绪：请在给出的分钟数后再试",
    ),
    (
        "data connection already open: the transfer starts",
        "数据连接已打开：开始传输",
    ),
    (
        "file status okay: the data connection is about to open",
        "文件状态正常：即将打开数据连接",
    ),
    ("command okay", "命令成功"),
    (
        "command not implemented: it is not needed on this server",
        "命令没有执行：这个服务器不需要它",
    ),
    (
        "system status, or help about the server",
        "系统状态，或服务器的帮助信息",
    ),
    ("directory status", "目录状态"),
    (
        "file status (for SIZE: the size in bytes; for MDTM: the modification time)",
        "文件状态（SIZE：字节数；MDTM：修改时间）",
    ),
    ("help message for a human reader", "给人看的帮助信息"),
    (
        "system type (the NAME of the operating system)",
        "系统类型（操作系统的名称）",
    ),
    (
        "service ready for a new user: the server's greeting",
        "服务就绪，等待新用户：服务器的欢迎信息",
    ),
    (
        "goodbye: the server closes the control connection",
        "退出：服务器关闭控制连接",
    ),
    (
        "data connection open, no transfer in progress",
        "数据连接已打开，没有正在进行的传输",
    ),
    (
        "transfer complete: the server closes the data connection",
        "传输完成：服务器关闭数据连接",
    ),
    (
        "passive mode: the server says where it listens for the data connection",
        "被动模式：服务器告知它在哪里等待数据连接",
    ),
    (
        "long passive mode: the server says where it listens (address of any family)",
        "长地址被动模式：服务器告知它在哪里监听（任意地址族）",
    ),
    (
        "extended passive mode: the server gives the port it listens on; the address is the control connection's",
        "扩展被动模式：服务器只给出监听端口；地址就是控制连接的地址",
    ),
    ("user logged in", "用户登录成功"),
    ("user logged out", "用户已退出登录"),
    (
        "user logged in, authorized by the security exchange",
        "用户登录成功，由安全交换授权",
    ),
    (
        "security mechanism accepted (AUTH): the TLS or security handshake starts now",
        "安全机制已接受（AUTH）：现在开始 TLS 或安全握手",
    ),
    ("security data exchange complete", "安全数据交换完成"),
    ("requested file action okay, completed", "文件操作完成"),
    (
        "path name created or reported (the path is in quotes)",
        "路径名已建立或返回（路径在引号里）",
    ),
    (
        "user name okay: the password is needed",
        "用户名正确：需要密码",
    ),
    ("an account is needed to log in", "登录需要帐号"),
    (
        "security mechanism accepted: security data is needed next",
        "安全机制已接受：接下来需要安全数据",
    ),
    (
        "security data accepted: more is needed",
        "安全数据已接受：还需要更多",
    ),
    (
        "user name okay: the password is needed, answer the challenge given",
        "用户名正确：需要密码，请回答给出的挑战",
    ),
    (
        "requested file action pending: the next command (e.g. RNTO, or the transfer after REST) completes it",
        "文件操作暂停：由下一条命令（如 RNTO，或 REST 之后的传输）完成",
    ),
    (
        "service not available: the server closes the control connection",
        "服务不可用：服务器关闭控制连接",
    ),
    ("cannot open the data connection", "无法打开数据连接"),
    (
        "connection closed: the transfer was aborted",
        "连接关闭：传输被中止",
    ),
    ("invalid user name or password", "用户名或密码无效"),
    (
        "the security request needs a resource that is not available",
        "安全请求需要的资源不可用",
    ),
    ("requested host unavailable", "请求的主机不可用"),
    (
        "file action not taken: the file is unavailable right now (e.g. busy)",
        "文件操作未执行：文件暂时不可用（例如正忙）",
    ),
    (
        "action aborted: local error on the server",
        "操作中止：服务器本地错误",
    ),
    (
        "action not taken: not enough storage space on the server",
        "操作未执行：服务器磁盘空间不足",
    ),
    ("syntax error: command not recognized", "语法错误：无效命令"),
    (
        "syntax error in the parameters or arguments",
        "参数语法错误",
    ),
    ("command not implemented", "命令没有实现"),
    ("bad sequence of commands", "错误的命令顺序"),
    (
        "command not implemented for that parameter",
        "该参数下命令没有实现",
    ),
    (
        "network protocol (address family) not supported: the server names the ones it supports",
        "不支持的网络协议（地址族）：服务器列出它支持的",
    ),
    ("not logged in", "未登录"),
    ("an account is needed for storing files", "存储文件需要帐号"),
    (
        "command protection level denied by policy",
        "命令保护级别被策略拒绝",
    ),
    (
        "request denied by policy (e.g. this security mechanism is refused)",
        "请求被策略拒绝（例如拒绝这种安全机制）",
    ),
    ("security check failed", "安全检查失败"),
    (
        "the requested protection level is not supported by the security mechanism",
        "安全机制不支持请求的保护级别",
    ),
    (
        "command protection level not supported by the security mechanism",
        "安全机制不支持该命令保护级别",
    ),
    (
        "action not taken: the file is unavailable (not found, no access)",
        "操作未执行：文件不可用（不存在或无权访问）",
    ),
    (
        "action aborted: page type unknown",
        "操作中止：未知的页类型",
    ),
    (
        "file action aborted: storage allocation exceeded",
        "文件操作中止：超过存储分配",
    ),
    (
        "action not taken: file name not allowed",
        "操作未执行：文件名不允许",
    ),
    (
        "integrity-protected reply (the real reply is encoded inside)",
        "完整性保护的响应（真正的响应编码在里面）",
    ),
    (
        "integrity- and confidentiality-protected reply (the real reply is encoded inside)",
        "完整性和机密性保护的响应（真正的响应编码在里面）",
    ),
    (
        "confidentiality-protected reply (the real reply is encoded inside)",
        "机密性保护的响应（真正的响应编码在里面）",
    ),
    (
        "positive preliminary: the action has started, another reply will follow",
        "初步肯定（1xx）：操作已开始，后面还有响应",
    ),
    (
        "positive completion: the action succeeded",
        "完成肯定（2xx）：操作成功",
    ),
    (
        "positive intermediate: accepted, more information is needed",
        "中间肯定（3xx）：已接受，还需要更多信息",
    ),
    (
        "transient negative: not done this time, the same command may work later",
        "暂时否定（4xx）：这次没有完成，稍后同样的命令可能成功",
    ),
    (
        "permanent negative: not done, repeating the same command will not help",
        "永久否定（5xx）：没有完成，重复同样的命令也没用",
    ),
    (
        "protected reply: the real reply is encoded inside (RFC 2228)",
        "保护的响应：真正的响应编码在里面（RFC 2228）",
    ),
    ("not an FTP reply code", "不是 FTP 响应码"),
    // --- command meanings ---
    (
        "abort: stop the transfer in progress and close its data connection",
        "中止：停止正在进行的传输并关闭它的数据连接",
    ),
    (
        "send the account name some servers need after the password",
        "发送帐号（有些服务器在密码之后需要）",
    ),
    (
        "send security data for the authentication exchange (RFC 2228)",
        "发送认证交换的安全数据（RFC 2228）",
    ),
    (
        "reserve storage on the server before an upload",
        "上传前在服务器上预留存储空间",
    ),
    (
        "upload: append the data to a file on the server (create it if missing)",
        "上传：把数据追加到服务器上的文件（不存在则创建）",
    ),
    (
        "ask to secure the control connection (AUTH TLS starts FTPS)",
        "请求加密控制连接（AUTH TLS 开始 FTPS）",
    ),
    (
        "clear command channel: go back to plain text after TLS",
        "清除命令通道：TLS 之后回到明文",
    ),
    ("change to the parent directory", "进入上级目录"),
    (
        "tell the server the name of the client program",
        "告诉服务器客户端程序的名称",
    ),
    ("change the working directory", "改变工作目录"),
    ("delete a file on the server", "删除服务器上的文件"),
    (
        "send a confidentiality-protected command (RFC 2228)",
        "发送机密性保护的命令（RFC 2228）",
    ),
    (
        "extended active mode: the client says where it listens (IPv4 or IPv6 address and port)",
        "扩展主动模式：客户端告知它在哪里监听（IPv4 或 IPv6 地址和端口）",
    ),
    (
        "extended passive mode: ask the server to listen; it answers with a port only",
        "扩展被动模式：请求服务器监听；服务器只回答端口",
    ),
    (
        "ask which extensions the server supports",
        "询问服务器支持哪些扩展",
    ),
    (
        "ask for help about the server or a command",
        "请求服务器或某条命令的帮助",
    ),
    (
        "name the virtual host wanted, before login (RFC 7151)",
        "登录前指定要访问的虚拟主机（RFC 7151）",
    ),
    (
        "choose the language of the server's messages",
        "选择服务器消息的语言",
    ),
    (
        "list a directory (or one file) in human-readable form over a data connection",
        "通过数据连接列出目录（或一个文件）的可读列表",
    ),
    (
        "long active mode: the client says where it listens (address of any family)",
        "长地址主动模式：客户端告知它在哪里监听（任意地址族）",
    ),
    (
        "long passive mode: ask the server to listen and say where (any address family)",
        "长地址被动模式：请求服务器监听并告知地址（任意地址族）",
    ),
    (
        "ask for a file's last modification time",
        "询问文件的最后修改时间",
    ),
    (
        "send an integrity-protected command (RFC 2228)",
        "发送完整性保护的命令（RFC 2228）",
    ),
    ("make a directory", "建立目录"),
    (
        "list a directory in machine-readable form over a data connection",
        "通过数据连接列出目录的机器可读列表",
    ),
    (
        "describe one file in machine-readable form on the control connection",
        "在控制连接上以机器可读形式描述一个文件",
    ),
    (
        "set the transfer mode (S stream, B block, C compressed)",
        "设置传输模式（S=流模式，B=块模式，C=压缩模式）",
    ),
    (
        "list the names in a directory over a data connection",
        "通过数据连接列出目录中的文件名",
    ),
    (
        "do nothing; the server just answers OK (keeps the connection alive)",
        "无动作；服务器只回答 OK（保持连接）",
    ),
    (
        "set options of a command (e.g. OPTS UTF8 ON)",
        "设置命令的选项（如 OPTS UTF8 ON）",
    ),
    (
        "send the password (in clear text unless the connection uses TLS)",
        "发送密码（除非连接使用 TLS，否则是明文）",
    ),
    (
        "passive mode: ask the server to listen and say where (IPv4 address and port)",
        "被动模式：请求服务器监听并告知地址（IPv4 地址和端口）",
    ),
    (
        "set the protection buffer size (sent before PROT with TLS)",
        "设置保护缓冲区大小（TLS 下在 PROT 之前发送）",
    ),
    (
        "active mode: the client says where it listens for the data connection",
        "主动模式：客户端告知它在哪里等待数据连接",
    ),
    (
        "set data connection protection (C clear, P private with TLS)",
        "设置数据连接保护（C 明文，P 用 TLS 加密）",
    ),
    ("print the working directory", "显示当前工作目录"),
    (
        "log out and close the control connection",
        "退出登录并关闭控制连接",
    ),
    (
        "reinitialize: log out but keep the connection open",
        "重新初始化：退出登录但保持连接",
    ),
    (
        "restart: the next transfer begins at this byte offset",
        "断点续传：下一次传输从这个字节偏移开始",
    ),
    (
        "download: retrieve a copy of a file over a data connection",
        "下载：通过数据连接取回文件的副本",
    ),
    ("remove a directory", "删除目录"),
    (
        "rename, step 1: the file to rename",
        "重命名第 1 步：要重命名的文件",
    ),
    ("rename, step 2: the new name", "重命名第 2 步：新名称"),
    (
        "a server-specific command (e.g. SITE CHMOD)",
        "服务器特有的命令（如 SITE CHMOD）",
    ),
    ("ask for a file's size in bytes", "询问文件的字节数"),
    (
        "mount a different file system structure",
        "挂载另一个文件系统结构",
    ),
    (
        "ask for status (of the server, or of a file or directory)",
        "询问状态（服务器的，或文件、目录的）",
    ),
    (
        "upload: store a file on the server over a data connection",
        "上传：通过数据连接把文件存到服务器上",
    ),
    (
        "upload under a name the server makes unique",
        "以服务器生成的唯一文件名上传",
    ),
    (
        "set the file structure (F file, R record, P page)",
        "设置文件结构（F=文件，R=记录，P=页面）",
    ),
    (
        "ask which operating system type the server runs",
        "询问服务器运行的操作系统类型",
    ),
    (
        "set the data type (A ASCII, I binary/image, E EBCDIC)",
        "设置数据类型（A=ASCII，I=二进制，E=EBCDIC）",
    ),
    ("send the user name: starts a login", "发送用户名：开始登录"),
    (
        "old alias of CDUP: change to the parent directory",
        "CDUP 的旧别名：进入上级目录",
    ),
    (
        "old alias of CWD: change the working directory",
        "CWD 的旧别名：改变工作目录",
    ),
    (
        "old alias of MKD: make a directory",
        "MKD 的旧别名：建立目录",
    ),
    (
        "old alias of PWD: print the working directory",
        "PWD 的旧别名：显示当前工作目录",
    ),
    (
        "old alias of RMD: remove a directory",
        "RMD 的旧别名：删除目录",
    ),
    // --- session summary ---
    ("Summary of session {n}", "会话 {} 小结"),
    (
        "client {} → server {}, greeting {}",
        "客户端 {} → 服务器 {}，欢迎信息 {}",
    ),
    ("client {} → server {}", "客户端 {} → 服务器 {}"),
    ("user {}, {t}", "用户 {}，{}"),
    ("login succeeded", "登录成功"),
    ("login failed", "登录失败"),
    ("login not seen", "未看到登录"),
    (
        "then {} (encrypted from frame {n})",
        "然后 {}（从第 {} 帧起加密）",
    ),
    (
        "then {} (encrypted from frame {n} to frame {n}, plain text again after CCC)",
        "然后 {}（第 {} 帧到第 {} 帧加密，CCC 之后回到明文）",
    ),
    ("{n} command[s]", "{} 条命令"),
    (
        "{n} transfer[s] ({n} complete, {n} failed)",
        "{} 次传输（{} 次完成，{} 次失败）",
    ),
    ("{n} byte[s] down", "下载 {} 字节"),
    ("{n} byte[s] up", "上传 {} 字节"),
    ("{n} byte[s] listed", "目录列表 {} 字节"),
    (
        "control connection: {n} packets, {} {}, {t}, {}",
        "控制连接：{} 个包，{} {}，{}，{}",
    ),
    ("closed by the {t} (four-way)", "由{}先断开（四次挥手）"),
    ("closed by the {t} (three-way)", "由{}先断开（三次挥手）"),
    (
        "closed by the {t} (simultaneous)",
        "由{}先断开（双方同时关闭）",
    ),
    ("closed by the {t} (reset)", "由{}断开（RST 重置）"),
    (
        "closed by the {t} (incomplete)",
        "由{}先断开（断开过程不完整）",
    ),
    ("closed by the {t} ({})", "由{}先断开（{}）"),
    (
        "refused: the SYN was answered with a reset (no FTP server listening)",
        "被拒绝：SYN 被 RST 回应（没有 FTP 服务器在监听）",
    ),
    (
        "silent longer than --idle-timeout: finished there",
        "沉默超过 --idle-timeout：在那里结束",
    ),
    (
        "evicted from the full connection table (--max-connections)",
        "连接表已满被移出（--max-connections）",
    ),
    (
        "open when the capture started and ended",
        "抓包开始和结束时都处于打开状态",
    ),
    ("still open when the capture ended", "抓包结束时仍然打开"),
    (
        "not established: its SYN was never answered ({n} try)",
        "未建立：SYN 一直没有应答（尝试 {} 次）",
    ),
    (
        "not established: its SYN was never answered ({n} tries)",
        "未建立：SYN 一直没有应答（尝试 {} 次）",
    ),
    (
        "{t}; evicted while waiting (--max-half-open, --max-connections)",
        "{}；等待中被移出（--max-half-open，--max-connections）",
    ),
    (
        "transfer {n}: {}, {t}; {t}; {t}; {} {t}",
        "第 {} 次传输：{}，{}；{}；{}；{} {}",
    ),
    (
        "transfer {n}: {}, {t}; {t}; {t}; no reply, {t}",
        "第 {} 次传输：{}，{}；{}；{}；没有响应，{}",
    ),
    (
        "transfer {n}: {} (restarted at byte {n}), {t}; {t}; {t}; {} {t}",
        "第 {} 次传输：{}（从第 {} 字节续传），{}；{}；{}；{} {}",
    ),
    (
        "transfer {n}: {} (restarted at byte {n}), {t}; {t}; {t}; no reply, {t}",
        "第 {} 次传输：{}（从第 {} 字节续传），{}；{}；{}；没有响应，{}",
    ),
    (
        "transfer {n}: {} (stored as {}), {t}; {t}; {t}; {} {t}",
        "第 {} 次传输：{}（存为 {}），{}；{}；{}；{} {}",
    ),
    (
        "transfer {n}: {} (stored as {}), {t}; {t}; {t}; no reply, {t}",
        "第 {} 次传输：{}（存为 {}），{}；{}；{}；没有响应，{}",
    ),
    (
        "transfer {n}: {} (restarted at byte {n}) (stored as {}), {t}; {t}; {t}; {} {t}",
        "第 {} 次传输：{}（从第 {} 字节续传，存为 {}），{}；{}；{}；{} {}",
    ),
    (
        "transfer {n}: {} (restarted at byte {n}) (stored as {}), {t}; {t}; {t}; no reply, {t}",
        "第 {} 次传输：{}（从第 {} 字节续传，存为 {}），{}；{}；{}；没有响应，{}",
    ),
    ("{t} via {} {}", "{}，经 {} {}"),
    ("no PORT/PASV", "没有 PORT/PASV"),
    (
        "data {} → {} opened by the {t} from port 20",
        "数据连接 {} → {} 由{}从 20 端口发起",
    ),
    (
        "data {} → {} opened by the {t}",
        "数据连接 {} → {} 由{}发起",
    ),
    ("no data connection in the capture", "抓包里没有数据连接"),
    ("no reply", "没有响应"),
    ("—", "—"),
    ("{} (restarted at byte {n})", "{}（从第 {} 字节续传）"),
    ("{} (stored as {})", "{}（存为 {}）"),
    // --- capture ---
    ("Unlinked data connections", "未关联的数据连接"),
    ("Capture {}", "抓包 {}"),
    ("Capture live", "抓包 实时"),
    (
        "{n} packets, {}, {} · {n} FTP session[s], {n} data connection[s] linked, {n} unlinked data connection[s], {n} other TCP connection[s]",
        "{} 个包，{}，{} · {} 个 FTP 会话，{} 个已关联的数据连接，{} 个未关联的数据连接，{} 个其他 TCP 连接",
    ),
    ("Warnings", "警告"),
    ("! {t}", "! {}"),
    // --- table ---
    ("session", "会话"),
    ("user", "用户"),
    ("login", "登录"),
    ("mode", "模式"),
    ("commands", "命令数"),
    ("transfers", "传输数"),
    ("down", "下载"),
    ("up", "上传"),
    ("listed", "列表"),
    ("control", "控制连接"),
    ("duration", "时长"),
    ("command", "命令"),
    ("argument", "参数"),
    ("setup", "协商"),
    ("announced", "告知的地址"),
    ("data connection", "数据连接"),
    ("opened by", "发起方"),
    ("bytes", "字节数"),
    ("reply", "响应码"),
    ("status", "状态"),
    ("connection", "连接"),
    ("state", "状态"),
    ("why unlinked", "未关联的原因"),
    ("{n} ({n} ok)", "{}（{} 成功）"),
    ("{t} +TLS", "{} +TLS"),
    ("{} {} evicted", "{} {} 被移出"),
    ("Sessions", "会话"),
    ("Transfers", "传输"),
    ("Findings", "发现"),
    ("session {n}: {t}", "会话 {}：{}"),
    (
        "{} — {n} packet[s], {} · {n} FTP session[s] · {n} data connection[s] linked · {n} unlinked · {n} other TCP connection[s]",
        "{} — {} 个包，{} · {} 个 FTP 会话 · {} 个已关联的数据连接 · {} 个未关联 · {} 个其他 TCP 连接",
    ),
    // --- findings ---
    (
        "the password travels in clear text on the control connection (plain FTP, no AUTH TLS)",
        "密码以明文在控制连接上传输（普通 FTP，没有 AUTH TLS）",
    ),
    ("mixed", "混合模式"),
    ("mixed mode", "混合模式（主动和被动都有）"),
    (
        "transfer {n} ({}): announced {} but the connection went to {} (the {t}'s address on the control connection): NAT or a rewritten capture changed the address; linked by port and peer",
        "第 {} 次传输（{}）：告知的是 {}，但连接去了 {}（控制连接上{}的地址）：NAT 或被改写的抓包改变了地址；按端口和对端关联",
    ),
    (
        "transfer {n} ({}): {n}, the server could not open the data connection to the client. In active mode a firewall or NAT in front of the client usually blocks the server's connection; try passive mode.",
        "第 {} 次传输（{}）：{}，服务器无法向客户端打开数据连接。主动模式下，客户端前面的防火墙或 NAT 通常会挡住服务器发起的连接；请改用被动模式。",
    ),
    (
        "transfer {n} ({}): the server refused the client's connection to {} (RST): the passive port was closed, or a firewall rejected it.",
        "第 {} 次传输（{}）：服务器拒绝了客户端到 {} 的连接（RST）：被动端口已关闭，或被防火墙拒绝。",
    ),
    (
        "transfer {n} ({}): {n}, no data connection reached the server's passive port in time (client-side firewall, a blocked passive port range, or a wrong announced address behind NAT).",
        "第 {} 次传输（{}）：{}，没有数据连接及时到达服务器的被动端口（客户端一侧的防火墙、被挡住的被动端口范围，或 NAT 后面告知了错误的地址）。",
    ),
    (
        "AUTH was accepted ({n}): the control connection is encrypted from here on; commands, replies and data-connection announcements can no longer be read",
        "AUTH 已被接受（{}）：从这里开始控制连接被加密；命令、响应和数据连接的地址通告都无法再读到",
    ),
    // --- small words used by {t} holes of the newer texts ---
    ("the client", "客户端"),
    ("the server", "服务器"),
    ("users", "用户"),
    ("servers", "服务器"),
    ("hosts", "主机"),
    ("clients", "客户端"),
    ("none", "无"),
    ("step {n}", "第 {} 步"),
    ("steps {n}–{n}", "第 {}–{} 步"),
    ("FIN retransmission", "FIN 重传"),
    // --- what a pure ACK acknowledges (-v) ---
    (
        "acknowledges bytes {n}–{n} of the {t}'s stream",
        "确认{2}字节流的第 {0}–{1} 字节",
    ),
    (
        "acknowledges the {n} greeting (bytes {n}–{n} of the {t}'s stream)",
        "确认 {0} 欢迎信息（{3}字节流的第 {1}–{2} 字节）",
    ),
    (
        "acknowledges the greeting (bytes {n}–{n} of the {t}'s stream)",
        "确认欢迎信息（{2}字节流的第 {0}–{1} 字节）",
    ),
    (
        "acknowledges the {n} reply (bytes {n}–{n} of the {t}'s stream)",
        "确认 {0} 响应（{3}字节流的第 {1}–{2} 字节）",
    ),
    (
        "acknowledges a line without a reply code (bytes {n}–{n} of the {t}'s stream)",
        "确认一行没有响应码的文本（{2}字节流的第 {0}–{1} 字节）",
    ),
    (
        "acknowledges PASS (the password) (bytes {n}–{n} of the {t}'s stream)",
        "确认 PASS（密码）（{2}字节流的第 {0}–{1} 字节）",
    ),
    (
        "acknowledges {} (bytes {n}–{n} of the {t}'s stream)",
        "确认 {0}（{3}字节流的第 {1}–{2} 字节）",
    ),
    (
        "acknowledges nothing of the {t}'s stream yet",
        "还没有确认{}字节流的任何字节",
    ),
    (
        "acknowledges the {t}'s stream up to byte {n}",
        "确认{}字节流直到第 {} 字节",
    ),
    // --- RFC 793 close states ---
    (
        "the {t} closes too, before the {t}'s FIN reached it: simultaneous close ({t})",
        "{0}也发起断开，此时{1}的 FIN 还没有到达：双方同时关闭（{2}）",
    ),
    (
        "the {t} acknowledges the {t}'s FIN and closes in one segment ({t})",
        "{0}确认{1}的 FIN，并在同一个数据段里断开（{2}）",
    ),
    (
        "the {t} acknowledges the {t}'s FIN ({t})",
        "{0}确认{1}的 FIN（{2}）",
    ),
    // --- 125/150 and 226: the data connection as the capture shows it ---
    ("file status okay", "文件状态正常"),
    ("the transfer starts", "传输开始"),
    (
        "the data connection is already open ({t}): this server connects to the client first, then sends {n}",
        "数据连接已经打开（{}）：这个服务器先连接客户端，然后才发送 {}",
    ),
    (
        "the data connection is already open ({t}): this server accepts the client's connection first, then sends {n}",
        "数据连接已经打开（{}）：这个服务器先接受客户端的连接，然后才发送 {}",
    ),
    (
        "the data connection opens next ({t})",
        "数据连接随后打开（{}）",
    ),
    (
        "no data connection for it is in the capture",
        "抓包里没有它的数据连接",
    ),
    ("transfer complete", "传输完成"),
    (
        "the {t} closed the data connection first ({t})",
        "是{}先关闭了数据连接（{}）",
    ),
    (
        "the {t} closed the data connection first ({t}): its FIN marks the end of the data (stream mode)",
        "是{}先关闭了数据连接（{}）：它的 FIN 标志着数据结束（流模式）",
    ),
    (
        "the {t} closed the data connection first ({t}): its FIN ends the upload (end of file in stream mode)",
        "是{}先关闭了数据连接（{}）：它的 FIN 结束了上传（流模式下即文件结束）",
    ),
    (
        "the {t} closes the data connection first ({t})",
        "将由{}先关闭数据连接（{}）",
    ),
    (
        "the {t} closes the data connection first ({t}): its FIN marks the end of the data (stream mode)",
        "将由{}先关闭数据连接（{}）：它的 FIN 标志着数据结束（流模式）",
    ),
    (
        "the {t} closes the data connection first ({t}): its FIN ends the upload (end of file in stream mode)",
        "将由{}先关闭数据连接（{}）：它的 FIN 结束了上传（流模式下即文件结束）",
    ),
    // --- the client's data port against its control port N ---
    (
        "data port {n} = N+{n}, N = {n} being the client's control port",
        "数据端口 {} = N+{}，其中 N = {} 是客户端的控制端口",
    ),
    (
        "data port {n} does not follow the control port (N = {n}): not N+1, the client chose it",
        "数据端口 {} 与控制端口（N = {}）不相邻：不是 N+1，是客户端自己选的",
    ),
    (
        "one more than the previous data port {n}",
        "比上一个数据端口 {} 大 1",
    ),
    (
        "the same port as the previous transfer",
        "与上一次传输的端口相同",
    ),
    // --- the session's lessons ---
    (
        "· one control connection ({} → {}) carried {n} data connection[s], one per transfer ({}), each with its own three-way handshake and close",
        "· 一条控制连接（{} → {}）承载了 {} 条数据连接，每次传输一条（{}），每条都有自己的三次握手和断开过程",
    ),
    (
        "· one control connection ({} → {}) carried {n} data connection[s]",
        "· 一条控制连接（{} → {}）承载了 {} 条数据连接",
    ),
    (
        "{n} transfer[s] had no data connection in the capture",
        "{} 次传输在抓包里没有数据连接",
    ),
    (
        "· data commands (they use a data connection): {}; control commands (answered on the control connection alone): {}",
        "· 数据命令（要使用数据连接）：{}；控制命令（只在控制连接上应答）：{}",
    ),
    (
        "· data commands (they use a data connection): {}; control commands (answered on the control connection alone): none",
        "· 数据命令（要使用数据连接）：{}；控制命令（只在控制连接上应答）：无",
    ),
    (
        "· active mode: control port N = {n}, client data port[s] {}, {t}",
        "· 主动模式：控制端口 N = {}，客户端数据端口 {}，{}",
    ),
    (
        "none opened by the server from port 20",
        "都不是由服务器从 20 端口发起的",
    ),
    (
        "opened by the server from its port 20",
        "由服务器从它的 20 端口发起",
    ),
    (
        "each opened by the server from its port 20",
        "每条都由服务器从它的 20 端口发起",
    ),
    (
        "{n} of {n} opened by the server from its port 20",
        "其中 {} 条（共 {} 条）由服务器从它的 20 端口发起",
    ),
    // --- transfers of an encrypted session (FTPS), inferred ---
    (
        "inferred: the control connection is encrypted, so the transfer command cannot be read; a new data connection opens here",
        "推断：控制连接是加密的，读不到传输命令；这里打开了一条新的数据连接",
    ),
    (
        "encrypted (PROT P): counted, content not shown",
        "已加密（PROT P）：只统计字节数，不显示内容",
    ),
    (
        "data connection inferred: the announcement is encrypted",
        "数据连接是推断出来的：地址通告是加密的",
    ),
    (
        "transfer {n}: command encrypted, {t}; {t}; {t}; reply encrypted, {t}",
        "第 {} 次传输：命令已加密，{}；{}；{}；响应已加密，{}",
    ),
    (
        "transfer {n}: command encrypted, {t}; {t}; {t}; {} {t}",
        "第 {} 次传输：命令已加密，{}；{}；{}；{} {}",
    ),
    (
        "{t} (inferred: the announcement is encrypted)",
        "{}（推断：地址通告是加密的）",
    ),
    ("{t} encrypted (PROT P)", "{}，已加密（PROT P）"),
    (
        "then implicit TLS (FTPS) (encrypted from frame {n})",
        "然后是隐式 TLS（FTPS）（从第 {} 帧起加密）",
    ),
    (
        "transfer {n}: data connection inferred: the announcement is encrypted; a new connection from {} to {} while the encrypted session was open ({t}); which command it served (RETR, STOR, LIST...) is encrypted too, the direction is the busier one",
        "第 {} 次传输：数据连接是推断出来的：地址通告是加密的；加密会话期间出现了一条从 {} 到 {} 的新连接（{}）；它服务于哪条命令（RETR、STOR、LIST……）同样是加密的，传输方向取数据量较大的一方",
    ),
    (
        "transfer {n}: data connection inferred: the announcement is encrypted; which command it served (RETR, STOR, LIST...) is encrypted too, the direction is the busier one",
        "第 {} 次传输：数据连接是推断出来的：地址通告是加密的；它服务于哪条命令（RETR、STOR、LIST……）同样是加密的，传输方向取数据量较大的一方",
    ),
    (
        "data connection inferred: the announcement is encrypted; a new connection from {} to {} while the encrypted session was open ({t})",
        "数据连接是推断出来的：地址通告是加密的；加密会话期间出现了一条从 {} 到 {} 的新连接（{}）",
    ),
    (
        "the client opened it: passive mode",
        "由客户端发起：被动模式",
    ),
    (
        "the server opened it from port {n}: active mode",
        "由服务器从 {} 端口发起：主动模式",
    ),
    (
        "the server opened it: active mode",
        "由服务器发起：主动模式",
    ),
    (
        "the control connection opens with a TLS handshake (implicit FTPS): commands, replies and data-connection announcements are encrypted and cannot be read",
        "控制连接一开始就是 TLS 握手（隐式 FTPS）：命令、响应和数据连接的地址通告都是加密的，无法读取",
    ),
    (
        "{n} of {n} data connections carry TLS (PROT P, from transfer {n} on): their bytes are counted, their content (files, listings) cannot be read",
        "{1} 条数据连接中有 {0} 条使用 TLS（PROT P，从第 {2} 次传输起）：只统计字节数，内容（文件、目录列表）无法读取",
    ),
    (
        "both sides closed TLS (close_notify alerts, as after CCC): the control connection is plain text again from here on",
        "双方都关闭了 TLS（close_notify 告警，和 CCC 之后一样）：从这里开始控制连接又是明文",
    ),
    (
        "the password travels in clear text on the control connection ({t})",
        "密码以明文在控制连接上传输（{}）",
    ),
    ("plain FTP, no AUTH TLS", "普通 FTP，没有 AUTH TLS"),
    (
        "TLS had ended (CCC) before it was sent",
        "发送密码之前 TLS 已经结束（CCC）",
    ),
    (
        "the server refused {} ({n}): the session stays in clear text, and the password that follows crosses the network readable",
        "服务器拒绝了 {}（{}）：会话保持明文，之后发送的密码会以可读的形式在网络上传输",
    ),
    // --- password guessing (brute force) ---
    (
        "{n} failed logins from {} to {} within {n} s (users tried: {}): password guessing (brute force)",
        "{3} 秒内从 {1} 到 {2} 有 {0} 次登录失败（尝试过的用户：{4}）：口令猜测（暴力破解）",
    ),
    (
        "{n} failed logins from {} to {} within {n} s (users tried: {} and {n} more): password guessing (brute force)",
        "{3} 秒内从 {1} 到 {2} 有 {0} 次登录失败（尝试过的用户：{4}，另有 {5} 个）：口令猜测（暴力破解）",
    ),
    (
        "{n} failed logins from {} to {} within {n} s: password guessing (brute force)",
        "{3} 秒内从 {1} 到 {2} 有 {0} 次登录失败：口令猜测（暴力破解）",
    ),
    (
        "this session crossed the threshold of {n} (--brute-force-logins, --brute-force-window)",
        "这个会话越过了 {} 次失败登录的阈值（--brute-force-logins，--brute-force-window）",
    ),
    (
        "this session continues the password guessing from {} to {} that began in session {n}: {n} failed logins so far (users tried: {})",
        "这个会话延续了从 {} 到 {} 的口令猜测（始于会话 {}）：到目前为止共有 {} 次登录失败（尝试过的用户：{}）",
    ),
    (
        "this session continues the password guessing from {} to {} that began in session {n}: {n} failed logins so far (users tried: {} and {n} more)",
        "这个会话延续了从 {} 到 {} 的口令猜测（始于会话 {}）：到目前为止共有 {} 次登录失败（尝试过的用户：{}，另有 {} 个）",
    ),
    (
        "this session continues the password guessing from {} to {} that began in session {n}: {n} failed logins so far",
        "这个会话延续了从 {} 到 {} 的口令猜测（始于会话 {}）：到目前为止共有 {} 次登录失败",
    ),
    (
        "a login as {} succeeded during the password guessing from {} to {} that began in session {n}, {n} failed logins (users tried: {}): the password may have been guessed",
        "在从 {1} 到 {2} 的口令猜测期间（始于会话 {3}，已有 {4} 次登录失败，尝试过的用户：{5}），用户 {0} 登录成功：密码可能已被猜中",
    ),
    (
        "a login as {} succeeded during the password guessing from {} to {} that began in session {n}, {n} failed logins (users tried: {} and {n} more): the password may have been guessed",
        "在从 {1} 到 {2} 的口令猜测期间（始于会话 {3}，已有 {4} 次登录失败，尝试过的用户：{5}，另有 {6} 个），用户 {0} 登录成功：密码可能已被猜中",
    ),
    (
        "a login as {} succeeded during the password guessing from {} to {} that began in session {n}, {n} failed logins: the password may have been guessed",
        "在从 {1} 到 {2} 的口令猜测期间（始于会话 {3}，已有 {4} 次登录失败），用户 {0} 登录成功：密码可能已被猜中",
    ),
    (
        "a login succeeded during the password guessing from {} to {} that began in session {n}, {n} failed logins (users tried: {}): the password may have been guessed",
        "在从 {} 到 {} 的口令猜测期间（始于会话 {}，已有 {} 次登录失败，尝试过的用户：{}），有一次登录成功：密码可能已被猜中",
    ),
    (
        "a login succeeded during the password guessing from {} to {} that began in session {n}, {n} failed logins (users tried: {} and {n} more): the password may have been guessed",
        "在从 {} 到 {} 的口令猜测期间（始于会话 {}，已有 {} 次登录失败，尝试过的用户：{}，另有 {} 个），有一次登录成功：密码可能已被猜中",
    ),
    (
        "a login succeeded during the password guessing from {} to {} that began in session {n}, {n} failed logins: the password may have been guessed",
        "在从 {} 到 {} 的口令猜测期间（始于会话 {}，已有 {} 次登录失败），有一次登录成功：密码可能已被猜中",
    ),
    (
        "change it and look at what this session did",
        "请修改密码，并检查这个会话做了什么",
    ),
    (
        "brute force: {n} failed logins from {} to {} in {} (from session {n}), users tried: {}",
        "暴力破解：从 {1} 到 {2} 在 {3} 内有 {0} 次登录失败（始于会话 {4}），尝试过的用户：{5}",
    ),
    (
        "brute force: {n} failed logins from {} to {} in {} (from session {n}), users tried: {} and {n} more",
        "暴力破解：从 {1} 到 {2} 在 {3} 内有 {0} 次登录失败（始于会话 {4}），尝试过的用户：{5}，另有 {6} 个",
    ),
    ("a login as {} succeeded during it", "其间用户 {} 登录成功"),
    // --- NAT: which side must change ---
    (
        "{} reply announces {} but the server's address on the control connection is {}: the server is behind NAT and announces its private address, which the client cannot reach. The server side must change: configure its public address for passive mode (vsftpd pasv_address, ProFTPD MasqueradeAddress); EPSV, which names no address, avoids the problem (some clients also ignore the announced address and use the control connection's)",
        "{} 响应告知的地址是 {}，但控制连接上服务器的地址是 {}：服务器在 NAT 后面，告知的是它的私有地址，客户端无法到达。必须修改服务器一侧：为被动模式配置服务器的公网地址（vsftpd pasv_address，ProFTPD MasqueradeAddress）；EPSV 不带地址，可以避免这个问题（有些客户端也会忽略告知的地址，改用控制连接的地址）",
    ),
    (
        "{} reply announces {} but the server's address on the control connection is {}: NAT rewriting, a server configured with another public address, or a rewritten capture; if the client cannot reach the announced address, the server's passive address setting must change",
        "{} 响应告知的地址是 {}，但控制连接上服务器的地址是 {}：可能是 NAT 改写了地址、服务器配置了另一个公网地址，或者抓包被改写过；如果客户端无法到达告知的地址，就必须修改服务器的被动模式地址设置",
    ),
    (
        "{} announces {} but the server sees the client as {}: the client is behind NAT and names its private address, which the server cannot reach. The client side must change: use passive mode (PASV/EPSV), or an FTP-aware NAT that rewrites PORT",
        "{} 告知的地址是 {}，但服务器看到的客户端地址是 {}：客户端在 NAT 后面，告知的是它的私有地址，服务器无法到达。必须修改客户端一侧：改用被动模式（PASV/EPSV），或者使用能改写 PORT 的、支持 FTP 的 NAT",
    ),
    (
        "{} announces {} but the client's address on the control connection is {} (another address family): a dual-stack client naming its other address",
        "{} 告知的地址是 {}，但控制连接上客户端的地址是 {}（另一个地址族）：双栈客户端告知了它的另一个地址",
    ),
    (
        "{} asks the server to connect to {}, a privileged port on another host than the client {}: an FTP bounce attack (RFC 2577), the server would open a connection to that service on the client's behalf",
        "{} 要求服务器连接 {}，这是客户端 {} 以外另一台主机上的特权端口：FTP 反弹攻击（RFC 2577），服务器会代替客户端向那个服务发起连接",
    ),
    (
        "{} names a third host, {} (the client is {}): the server is asked to connect to another machine, an FTP bounce (RFC 2577), unless that host is an FTP server listening for a server-to-server transfer (FXP)",
        "{} 指定了第三台主机 {}（客户端是 {}）：服务器被要求连接另一台机器，这是 FTP 反弹（RFC 2577），除非那台主机是正在等待服务器间传输（FXP）的 FTP 服务器",
    ),
    (
        "transfer {n} ({}): announced {} but the connection went to {}; linked by port and the connecting host",
        "第 {} 次传输（{}）：告知的是 {}，但连接去了 {}；按端口和发起连接的主机关联",
    ),
    (
        "transfer {n} ({}): linked by timing: the announcement ({t}) is not in the capture; {} opened this connection to {} while transfer {n} was under way",
        "第 {} 次传输（{}）：按时间关联：地址通告（{}）不在抓包里；{} 在第 {} 次传输进行期间打开了这条到 {} 的连接",
    ),
    (
        "transfer {n} ({}): linked by timing: the announcement ({t}) and this connection's handshake are not in the capture; it carried data between {} and {} while transfer {n} was under way",
        "第 {} 次传输（{}）：按时间关联：地址通告（{}）和这条连接的握手都不在抓包里；它在第 {} 次传输进行期间在 {} 和 {} 之间传送了数据",
    ),
    ("its 227/229 reply", "它的 227/229 响应"),
    ("its PORT/EPRT command", "它的 PORT/EPRT 命令"),
    // --- a data connection that failed, and the server's 425/426 tied to it ---
    (
        "{n} SYNs, {n} retries, over {n} s",
        "{} 个 SYN，重试 {} 次，历时 {} 秒",
    ),
    (
        "{n} SYNs, {n} retry, over {n} s",
        "{} 个 SYN，重试 {} 次，历时 {} 秒",
    ),
    ("1 SYN, no retry", "1 个 SYN，没有重试"),
    ("its SYN is not in the capture", "它的 SYN 不在抓包里"),
    (
        "The server's {n} \"{}\", {n} s after the first SYN, is this failure as the server reports it.",
        "服务器的 {} \"{}\"（在第一个 SYN 之后 {} 秒）就是服务器报告的这次失败。",
    ),
    (
        "The server's {n}, {n} s after the first SYN, is this failure as the server reports it.",
        "服务器的 {}（在第一个 SYN 之后 {} 秒）就是服务器报告的这次失败。",
    ),
    (
        "The server's {n} \"{}\" is this failure as the server reports it.",
        "服务器的 {} \"{}\" 就是服务器报告的这次失败。",
    ),
    (
        "The server's {n} is this failure as the server reports it.",
        "服务器的 {} 就是服务器报告的这次失败。",
    ),
    (
        "transfer {n} ({}): the server's SYN to {} was never answered ({t}). In active mode the server must reach the client",
        "第 {} 次传输（{}）：服务器发往 {} 的 SYN 一直没有应答（{}）。主动模式下服务器必须能连到客户端",
    ),
    (
        "a firewall or NAT in front of the client drops it. Passive mode (PASV/EPSV) avoids this because the client opens the data connection.",
        "客户端前面的防火墙或 NAT 丢弃了它。被动模式（PASV/EPSV）由客户端发起数据连接，可以避免这个问题。",
    ),
    (
        "a firewall or NAT in front of the client drops it. {t} Passive mode (PASV/EPSV) avoids this because the client opens the data connection.",
        "客户端前面的防火墙或 NAT 丢弃了它。{}被动模式（PASV/EPSV）由客户端发起数据连接，可以避免这个问题。",
    ),
    (
        "a firewall or NAT in front of the client (the announced address is private) drops it. Passive mode (PASV/EPSV) avoids this because the client opens the data connection.",
        "客户端前面的防火墙或 NAT（告知的是私有地址）丢弃了它。被动模式（PASV/EPSV）由客户端发起数据连接，可以避免这个问题。",
    ),
    (
        "a firewall or NAT in front of the client (the announced address is private) drops it. {t} Passive mode (PASV/EPSV) avoids this because the client opens the data connection.",
        "客户端前面的防火墙或 NAT（告知的是私有地址）丢弃了它。{}被动模式（PASV/EPSV）由客户端发起数据连接，可以避免这个问题。",
    ),
    (
        "transfer {n} ({}): the client side refused the server's connection to {} (RST): nothing listened on that port, or a firewall rejected it.",
        "第 {} 次传输（{}）：客户端一侧拒绝了服务器到 {} 的连接（RST）：那个端口上没有程序监听，或者被防火墙拒绝。",
    ),
    (
        "transfer {n} ({}): the client side refused the server's connection to {} (RST): nothing listened on that port, or a firewall rejected it. {t}",
        "第 {} 次传输（{}）：客户端一侧拒绝了服务器到 {} 的连接（RST）：那个端口上没有程序监听，或者被防火墙拒绝。{}",
    ),
    (
        "transfer {n} ({}): the client's SYN to the passive port {} was never answered ({t}): the server's firewall must allow its passive port range (ports above 1024), or the announced address is not reachable (NAT).",
        "第 {} 次传输（{}）：客户端发往被动端口 {} 的 SYN 一直没有应答（{}）：服务器的防火墙必须放行它的被动端口范围（1024 以上的端口），或者告知的地址无法到达（NAT）。",
    ),
    (
        "transfer {n} ({}): the client's SYN to the passive port {} was never answered ({t}): the server's firewall must allow its passive port range (ports above 1024), or the announced address is not reachable (NAT). {t}",
        "第 {} 次传输（{}）：客户端发往被动端口 {} 的 SYN 一直没有应答（{}）：服务器的防火墙必须放行它的被动端口范围（1024 以上的端口），或者告知的地址无法到达（NAT）。{}",
    ),
    (
        "transfer {n} ({}): the server refused the client's connection to {} (RST): the passive port was closed, or a firewall rejected it. {t}",
        "第 {} 次传输（{}）：服务器拒绝了客户端到 {} 的连接（RST）：被动端口已关闭，或被防火墙拒绝。{}",
    ),
    (
        "transfer {n} ({}): 425 and no PORT/PASV before it: the client never set up a data connection.",
        "第 {} 次传输（{}）：425，而且之前没有 PORT/PASV：客户端从未建立数据连接。",
    ),
    (
        "transfer {n} ({}): {n} bytes of the data connection are not in the capture (packet loss at the capture point); the byte count covers what was seen",
        "第 {} 次传输（{}）：数据连接有 {} 字节不在抓包里（抓包点丢包）；字节数只统计看到的部分",
    ),
    (
        "transfer {n} ({}) completed, but its data connection to {} is not in the capture",
        "第 {} 次传输（{}）已完成，但它到 {} 的数据连接不在抓包里",
    ),
    (
        "transfer {n} ({}) completed, but its data connection is not in the capture",
        "第 {} 次传输（{}）已完成，但它的数据连接不在抓包里",
    ),
    (
        "transfer {n} ({}): {n} bytes carried but {n} announced",
        "第 {} 次传输（{}）：传送了 {} 字节，但告知的大小是 {} 字节",
    ),
    // --- a transfer cut off, a transfer resumed ---
    (
        "transfer {n} ({}) was cut off after {n} bytes of {n} announced ({n}%): {t}",
        "第 {} 次传输（{}）在传送了 {} 字节（告知大小 {} 字节的 {}%）后被中断：{}",
    ),
    (
        "transfer {n} ({}) was cut off after {n} bytes: {t}",
        "第 {} 次传输（{}）在传送了 {} 字节后被中断：{}",
    ),
    (
        "the client sent ABOR (frame {n}) and {t}: the user or the client cancelled it",
        "客户端发送了 ABOR（第 {} 帧），{}：是用户或客户端取消了传输",
    ),
    (
        "{t} reset the data connection (RST) mid-transfer and {t}: a crashed or killed program, a timeout, or a firewall cutting the connection",
        "{}在传输中途重置了数据连接（RST），{}：可能是程序崩溃或被终止、超时，或者防火墙切断了连接",
    ),
    (
        "{t} without any ABOR from the client: the server or the network cut the data connection (a reset, a timeout, disk full, a file locked)",
        "{}，而客户端没有发送 ABOR：是服务器或网络切断了数据连接（重置、超时、磁盘已满、文件被锁定）",
    ),
    ("the server answered {n}", "服务器回应 {}"),
    ("no final reply is in the capture", "抓包里没有最终响应"),
    (
        "transfer {n} ({}) resumed at byte {n} (REST {n}): it carried {n} bytes, the file's bytes {n} to {n}",
        "第 {} 次传输（{}）从第 {} 字节续传（REST {}）：它传送了 {} 字节，即文件的第 {} 到第 {} 字节",
    ),
    (
        "the file has {n} bytes, so it is whole if its first {n} came before",
        "文件共有 {} 字节，所以如果前 {} 字节之前已经传过，文件就是完整的",
    ),
    (
        "the {n} announced are the bytes from the offset",
        "告知的 {} 字节就是从偏移开始的字节数",
    ),
    (
        "{n} announced, so {n} of the file are not in this transfer",
        "告知大小为 {}，所以文件有 {} 字节不在这次传输里",
    ),
    // --- the statistics ---
    ("Statistics", "统计"),
    (
        "{n} FTP session[s] · logins: {n} succeeded, {n} failed, {n} unknown · {n} with TLS",
        "{} 个 FTP 会话 · 登录：{} 个成功，{} 个失败，{} 个未知 · {} 个使用 TLS",
    ),
    ("Replies by class", "响应（按类别）"),
    ("Replies by code", "响应（按响应码）"),
    ("Commands by verb", "命令（按命令名）"),
    ("Bytes per user", "每个用户的字节数"),
    ("Passive ports per server", "每个服务器的被动端口"),
    ("Busiest clients by sessions", "会话最多的客户端"),
    ("Busiest clients by bytes", "字节数最多的客户端"),
    ("Busiest servers by sessions", "会话最多的服务器"),
    ("Busiest servers by bytes", "字节数最多的服务器"),
    ("Failed logins", "登录失败"),
    ("class", "类别"),
    ("count", "次数"),
    ("meaning", "含义"),
    ("code", "响应码"),
    ("sessions", "会话数"),
    ("connections", "连接数"),
    ("ports", "端口数"),
    ("range", "端口范围"),
    ("list", "端口列表"),
    ("host", "主机"),
    (
        "lines where a reply was expected that are not one",
        "本应是响应、实际不是响应的行",
    ),
    ("{n} command[s]: {}", "{} 条命令：{}"),
    ("{n} command[s]: none", "{} 条命令：无"),
    (
        "{n} commands with other verbs (too many distinct unknown verbs to list)",
        "另有 {} 条命令使用其他命令名（不同的未知命令名太多，不一一列出）",
    ),
    (
        "{n} commands past --max-commands were counted but not stored, and are not above",
        "{} 条超出 --max-commands 的命令只计数、没有保存，上面没有列出",
    ),
    (
        "{n} transfer[s] · mode: {n} active, {n} passive, {n} unknown · setup: {}",
        "{} 次传输 · 模式：主动 {}，被动 {}，未知 {} · 协商：{}",
    ),
    (
        "{n} transfer[s] · mode: {n} active, {n} passive, {n} unknown · setup: none",
        "{} 次传输 · 模式：主动 {}，被动 {}，未知 {} · 协商：无",
    ),
    (
        "status: {n} complete, {n} aborted, {n} failed, {n} incomplete",
        "状态：完成 {}，中止 {}，失败 {}，未完成 {}",
    ),
    ("downloads: {n} ({t})", "下载：{} 次（{}）"),
    ("uploads: {n} ({t})", "上传：{} 次（{}）"),
    ("listings: {n} ({t})", "目录列表：{} 次（{}）"),
    (
        "more {t} than the {n} tracked: later ones are counted only in the totals",
        "{}数超过了跟踪上限 {}：后来的只计入总数",
    ),
    (
        "(the busiest {n} of {n} {t})",
        "（{1} 个{2}中最忙的 {0} 个）",
    ),
    (
        "{n} sessions of hosts past the bound are not in these lists",
        "超出上限的主机还有 {} 个会话，不在这些列表里",
    ),
    ("(too many to list)", "（太多，不一一列出）"),
    ("(no USER)", "（没有 USER）"),
    (
        "{n} refused login attempt[s]; {n} session[s] never logged in",
        "{} 次登录尝试被拒绝；{} 个会话始终没有登录成功",
    ),
    ("by client: {}", "按客户端：{}"),
    ("by user: {}", "按用户：{}"),
    (
        "{n} unlinked data connection[s] ({t})",
        "{} 个未关联的数据连接（{}）",
    ),
    // --- the advice ---
    (
        "Advice: what a firewall in front of each server must allow",
        "建议：每个服务器前面的防火墙必须放行的通信",
    ),
    (
        "server {} — {n} session[s], {n} active transfer[s], {n} passive announcement[s]",
        "服务器 {} — {} 个会话，{} 次主动模式传输，{} 次被动模式地址通告",
    ),
    (
        "active mode (PORT/EPRT): control client >1023 -> server {n}, data client >1023 <- server {t}",
        "主动模式（PORT/EPRT）：控制连接：客户端 >1023端口 -> 服务器 {}端口；数据连接：客户端 >1023端口 <- 服务器 {}端口",
    ),
    (
        "passive mode (PASV/EPSV): control client >1023 -> server {n}, data client >1023 -> server P",
        "被动模式（PASV/EPSV）：控制连接：客户端 >1023端口 -> 服务器 {}端口；数据连接：客户端 >1023端口 -> 服务器 P端口",
    ),
    ("{t} (new)", "{}（连接状态 new）"),
    ("{t} (established)", "{}（连接状态 established）"),
    (
        "the client opens the control connection to the server's port {n}",
        "客户端向服务器的 {} 端口发起控制连接",
    ),
    (
        "the client opens the control connection to the server's port {n} (a client used port {n}, below 1024)",
        "客户端向服务器的 {} 端口发起控制连接（有客户端用了 {} 端口，低于 1024）",
    ),
    (
        "the server answers on the control connection (replies to the client's control port)",
        "服务器在控制连接上应答（发往客户端的控制端口）",
    ),
    (
        "active mode: the server opens the data connection from port {} ({t}) to the data port the client announced in PORT/EPRT",
        "主动模式：服务器从 {} 端口（{}）向客户端在 PORT/EPRT 中告知的数据端口发起数据连接",
    ),
    (
        "the port the server's data connections came from",
        "服务器的数据连接实际使用的源端口",
    ),
    (
        "no server SYN in the capture: the usual port, one below the control port",
        "抓包里没有服务器的 SYN：取通常的端口，即控制端口减 1",
    ),
    (
        "active mode: the client acknowledges (and, for uploads, sends data) back to the server's data port",
        "主动模式：客户端向服务器的数据端口回送 ACK（上传时还发送数据）",
    ),
    (
        "passive mode: the client opens the data connection to the port P the server announced ({n} announcement[s], ports {})",
        "被动模式：客户端向服务器告知的端口 P 发起数据连接（{} 次地址通告，端口 {}）",
    ),
    (
        "passive mode: the client opens the data connection to the port P the server announced ({n} announcement[s], ports {}); the connections reached ports {} (a NAT in between maps them)",
        "被动模式：客户端向服务器告知的端口 P 发起数据连接（{} 次地址通告，端口 {}）；连接实际到达的是端口 {}（中间的 NAT 做了端口映射）",
    ),
    (
        "passive mode: the server acknowledges and sends data back from port P",
        "被动模式：服务器从端口 P 回送 ACK 和数据",
    ),
    (
        "control connection only (no data connection negotiated):",
        "只有控制连接（没有协商数据连接）：",
    ),
    ("session {n}", "会话 {}"),
    ("session {n}, transfer {n}", "会话 {}，第 {} 次传输"),
    (
        "session {n}, transfer {n} ({})",
        "会话 {}，第 {} 次传输（{}）",
    ),
    ("(and {n} more time[s] like it)", "（同样的情况还有 {} 次）"),
    ("… {n} more problems not kept", "… 另有 {} 个问题没有保留"),
    (
        "commands (on the server's host):",
        "命令（在服务器主机上执行）：",
    ),
    (
        "{n} session(s) with further servers not advised on (bound of {n} servers)",
        "另有 {} 个会话涉及更多的服务器，没有给出建议（上限为 {} 个服务器）",
    ),
    (
        "a firewall or NAT drops the server's connection to the client: use passive mode (PASV/EPSV); or, on a firewall in front of the server, allow active rules {n} and {n} (server {n} -> client >{n} and back); in front of the client, allow inbound connections from the server's data port to the client's ports >{n}, or let a stateful firewall track FTP (Linux: the nf_conntrack_ftp helper and a RELATED rule)",
        "防火墙或 NAT 丢弃了服务器到客户端的连接：改用被动模式（PASV/EPSV）；或者在服务器前面的防火墙上放行主动模式规则 {} 和 {}（服务器 {}端口 -> 客户端 >{}端口，以及回程）；在客户端前面的防火墙上放行从服务器数据端口到客户端 >{}端口的入站连接，或者让有状态防火墙跟踪 FTP（Linux：nf_conntrack_ftp helper 模块加一条 RELATED 规则）",
    ),
    (
        "open (and behind NAT, forward) a fixed passive port range on the server's firewall, and configure the same range on the server (vsftpd pasv_min_port/pasv_max_port, proftpd PassivePorts, pure-ftpd -p)",
        "在服务器的防火墙上开放一个固定的被动端口范围（服务器在 NAT 后面时还要做端口转发），并在服务器上配置同样的范围（vsftpd pasv_min_port/pasv_max_port，proftpd PassivePorts，pure-ftpd -p）",
    ),
    (
        "the server is behind NAT and announces its private address: set the public address for passive replies (vsftpd pasv_address, proftpd MasqueradeAddress, pure-ftpd -P), or use EPSV, which announces no address",
        "服务器在 NAT 后面，告知的是它的私有地址：为被动模式响应设置公网地址（vsftpd pasv_address，proftpd MasqueradeAddress，pure-ftpd -P），或者改用不告知地址的 EPSV",
    ),
    (
        "the client is behind a NAT that does not rewrite PORT: use passive mode, or an FTP-aware NAT (Linux: nf_nat_ftp)",
        "客户端在一个不改写 PORT 的 NAT 后面：改用被动模式，或者使用支持 FTP 的 NAT（Linux：nf_nat_ftp）",
    ),
    (
        "active mode: {t}; passive mode: {t}",
        "主动模式：{}；被动模式：{}",
    ),
    (
        "a NAT between client and server rewrote the data connection: {t}",
        "客户端和服务器之间的 NAT 改写了数据连接：{}",
    ),
    // --- a session's logins per user (the list is cut at ", ", one user a part) ---
    ("logins: {t}", "登录：{}"),
    ("once", "1 次"),
    ("{n} times", "{} 次"),
    ("{w} failed {t}", "{} 失败 {}"),
    ("{w} succeeded", "{} 成功"),
    ("{w} succeeded {t}", "{} 成功 {}"),
    ("{w} no verdict {t}", "{} 无结果 {}"),
    ("{w} failed {t} and succeeded", "{} 失败 {}，成功 1 次"),
    ("{w} failed {t} and succeeded {t}", "{} 失败 {}，成功 {}"),
    ("{w} failed {t} and no verdict {t}", "{} 失败 {}，无结果 {}"),
    (
        "{w} succeeded and no verdict {t}",
        "{} 成功 1 次，无结果 {}",
    ),
    (
        "{w} succeeded {t} and no verdict {t}",
        "{} 成功 {}，无结果 {}",
    ),
    (
        "{w} failed {t} and succeeded and no verdict {t}",
        "{} 失败 {}，成功 1 次，无结果 {}",
    ),
    (
        "{w} failed {t} and succeeded {t} and no verdict {t}",
        "{} 失败 {}，成功 {}，无结果 {}",
    ),
    ("(user not seen) failed {t}", "（未看到用户名）失败 {}"),
    ("(user not seen) succeeded", "（未看到用户名）成功"),
    (
        "(user not seen) no verdict {t}",
        "（未看到用户名）无结果 {}",
    ),
    // --- unlinked data connections ---
    (
        "{} → {}  frames {n}–{n}  {t} / {t}  state {} {}",
        "{} → {}  帧 {}–{}  {} / {}  状态 {} {}",
    ),
    (
        "opened for the {} announcement {} (frame {n}) but no transfer command used it",
        "为 {} 地址通告 {}（第 {} 帧）而打开，但没有传输命令使用它",
    ),
    (
        "connects the hosts of FTP session {n} on port {n}, which the session announced, but no announcement in the capture explains this connection",
        "连接了 FTP 会话 {} 的两台主机，端口 {} 是这个会话告知过的，但抓包里没有哪次地址通告能解释这条连接",
    ),
    (
        "connects the hosts of FTP session {n} on port {n}, which the session announced, but no announcement in the capture explains this connection (it was already running when the capture started)",
        "连接了 FTP 会话 {} 的两台主机，端口 {} 是这个会话告知过的，但抓包里没有哪次地址通告能解释这条连接（抓包开始时它已经在运行）",
    ),
    (
        "already running when the capture started, like FTP session {n}, between its hosts: its PORT/PASV is before the capture",
        "和 FTP 会话 {} 一样，抓包开始时已经在它的两台主机之间运行：它的 PORT/PASV 在抓包开始之前",
    ),
    (
        "already running when the capture started, like FTP session {n}, between its hosts from port 20 (active-mode data): its PORT/PASV is before the capture",
        "和 FTP 会话 {} 一样，抓包开始时已经在它的两台主机之间运行，来自 20 端口（主动模式数据）：它的 PORT/PASV 在抓包开始之前",
    ),
    (
        "opened during FTP session {n} between its hosts, but matches none of its PORT/EPRT/PASV/EPSV announcements",
        "在 FTP 会话 {} 期间于它的两台主机之间打开，但与它的 PORT/EPRT/PASV/EPSV 地址通告都不匹配",
    ),
    (
        "opened during FTP session {n} between its hosts from port 20 (active-mode data), but matches none of its PORT/EPRT/PASV/EPSV announcements",
        "在 FTP 会话 {} 期间于它的两台主机之间打开，来自 20 端口（主动模式数据），但与它的 PORT/EPRT/PASV/EPSV 地址通告都不匹配",
    ),
    (
        "data connection of FTP session {n}, which had already ended",
        "FTP 会话 {} 的数据连接，而这个会话已经结束",
    ),
    // --- the capture's warnings ---
    (
        "{n} packets are identical copies of packets already seen (a capture taken on two interfaces, a SPAN port copying traffic twice, or a file merged with itself): each was counted once",
        "{} 个包与之前见过的包完全相同（在两个接口上抓的包、SPAN 端口把流量复制了两份，或者文件和自己合并过）：每个包只计一次",
    ),
    (
        "time goes back {} at frame {n}: the capture's packets are not in time order (files merged or given out of order, or a file that holds the same packets twice)",
        "第 {1} 帧处时间倒退了 {0}：抓包里的包不是按时间顺序排列的（文件合并过或给出的顺序不对，或者一个文件里有两份同样的包）",
    ),
    (
        "time goes back {} at frame {n} (and {n} more times): the capture's packets are not in time order (files merged or given out of order, or a file that holds the same packets twice)",
        "第 {1} 帧处时间倒退了 {0}（此后还有 {2} 次）：抓包里的包不是按时间顺序排列的（文件合并过或给出的顺序不对，或者一个文件里有两份同样的包）",
    ),
    (
        "{n} malformed frames were counted and skipped ({n} at the link layer, {n} IP, {n} TCP)",
        "{} 个格式错误的帧已计数并跳过（链路层 {} 个，IP {} 个，TCP {} 个）",
    ),
    (
        "{n} TCP segments were cut by the capture's snapshot length: their bytes are counted, their content is missing",
        "{} 个 TCP 数据段被抓包的快照长度（snaplen）截断：字节数已计入，内容缺失",
    ),
    (
        "{n} IP fragments could not be reassembled (incomplete, inconsistent, or beyond a bound)",
        "{} 个 IP 分片无法重组（不完整、不一致或超出上限）",
    ),
    (
        "libpcap dropped {n} packets (kernel buffer full: {n}, interface: {n}): they are missing from this analysis; raise --buffer or narrow the filter",
        "libpcap 丢弃了 {} 个包（内核缓冲区满：{}，接口：{}）：这些包不在本次分析里；请加大 --buffer 或缩小过滤条件",
    ),
    (
        "{n} connections were finished early because the connection table was full (--max-connections {n}): what they did after that is not in this analysis",
        "{} 条连接因为连接表已满（--max-connections {}）被提前结束：它们之后的情况不在本次分析里",
    ),
    (
        "{n} connection attempts were still unanswered when more than {n} waited at once (a SYN flood or a scan?): each was finished then as not established (--max-half-open)",
        "{} 次连接尝试在同时等待的超过 {} 个时仍未得到应答（SYN 洪泛或扫描？）：每个都当即按未建立结束（--max-half-open）",
    ),
    (
        "{n} holes in TCP streams were declared missing early because too many bytes waited behind them (--reassembly-limit {} per control direction, --reassembly-total {} in all, {n} ranges per data direction): a line that spanned one may be cut; raise the limits if the bytes came later",
        "TCP 字节流中有 {} 处空洞被提前判定为缺失，因为后面等待的字节太多（--reassembly-limit 每个控制方向 {}，--reassembly-total 总共 {}，每个数据方向 {} 个范围）：跨过空洞的行可能被截断；如果这些字节是后来才到的，请调高上限",
    ),
    (
        "{n} commands were counted but not stored because their session already had {n} (--max-commands) or the open sessions already stored {} (--max-stored-bytes): the session's summary counts them, its command list stops there",
        "{} 条命令只计数、没有保存，因为所在会话已经有 {} 条（--max-commands），或者打开的会话已经保存了 {}（--max-stored-bytes）：会话小结计入了它们，命令列表到此为止",
    ),
    (
        "{n} replies were counted but not stored because their session had stopped storing commands, or nobody asked for them and the open sessions already stored {} (--max-commands, --max-stored-bytes)",
        "{} 条响应只计数、没有保存，因为所在会话已停止保存命令，或者没有命令在等它们而打开的会话已经保存了 {}（--max-commands，--max-stored-bytes）",
    ),
    (
        "{n} commands were forgotten while waiting for a reply because more than {n} waited at once in a session (a fixed bound): replies after that may be paired with a later command",
        "{} 条命令在等待响应时被丢弃，因为一个会话里同时等待的命令超过 {} 条（固定上限）：之后的响应可能被配对到后面的命令上",
    ),
    (
        "{n} announced data endpoints (PORT, PASV...) were forgotten because {n} waited at once (--max-expectations): a data connection to one of them is reported as unlinked",
        "{} 个告知的数据端点（PORT、PASV……）被丢弃，因为同时等待的已有 {} 个（--max-expectations）：到这些端点的数据连接会报告为未关联",
    ),
    (
        "{n} control lines were longer than {n} bytes and were cut there (--max-line)",
        "{} 行控制连接文本超过 {} 字节，在那里被截断（--max-line）",
    ),
    (
        "{n} replies had more than {n} lines or {n} bytes of text: the rest of their text was not kept (a fixed bound)",
        "{} 条响应超过 {} 行或 {} 字节文本：其余文本没有保留（固定上限）",
    ),
    (
        "{n} findings were not stored because their session already had {n} (--max-findings) or the open sessions already stored {} (--max-stored-bytes)",
        "{} 条发现没有保存，因为所在会话已经有 {} 条（--max-findings），或者打开的会话已经保存了 {}（--max-stored-bytes）",
    ),
    (
        "{t} missing from the capture: it holds {t} of a sequence space of {t} ({n}%)",
        "抓包里缺了 {0}：序列号空间共 {2}，抓包里只有其中的 {1}（{3}%）",
    ),
    // --- what the control connection's bytes held ---
    (
        "FTP on port {n}: recognised by its first bytes (a 220 greeting and an FTP client command), not by its port",
        "{} 端口上的 FTP：是根据开头的字节（220 欢迎信息和 FTP 客户端命令）识别出来的，而不是根据端口",
    ),
    (
        "a command line of {n} bytes without a line end within {n} bytes",
        "一行 {} 字节的命令在 {} 字节内没有行结束符",
    ),
    (
        "a reply line of {n} bytes without a line end within {n} bytes",
        "一行 {} 字节的响应在 {} 字节内没有行结束符",
    ),
    ("kept the first {n} bytes", "只保留了前 {} 字节"),
    (
        "the {t}'s stream ends with {n} bytes that are not a complete line: {}",
        "{}的字节流最后有 {} 字节不构成完整的一行：{}",
    ),
    (
        "the {t}'s line {} begins where bytes are missing from the capture; skipped it",
        "{}的一行 {} 从抓包缺失字节的地方开始；已跳过",
    ),
    (
        "the server sent {n} bytes of binary data right before a reply on the same line: {}",
        "服务器在同一行的响应前面发送了 {} 字节二进制数据：{}",
    ),
    (
        "client sent a line that is not an FTP command: {}",
        "客户端发送了一行不是 FTP 命令的内容：{}",
    ),
    (
        "server sent a line that is not an FTP reply: {}",
        "服务器发送了一行不是 FTP 响应的内容：{}",
    ),
    (
        "the server says it will be ready later (120)",
        "服务器表示稍后才能就绪（120）",
    ),
    (
        "the reply to {} (frame {n}) is in bytes missing from the capture",
        "对 {}（第 {} 帧）的响应在抓包缺失的字节里",
    ),
    ("reply {n}", "响应 {}"),
    ("a line that is not a reply", "一行不是响应的内容"),
    (
        "{t} answers a command that is in bytes missing from the capture; its code does not say which (shown as an inferred command \"{}\")",
        "{}回应的命令在抓包缺失的字节里；从响应码看不出是哪条命令（显示为推断的命令 \"{}\"）",
    ),
    (
        "{t} answers a {} that is in bytes missing from the capture; shown as an inferred {}",
        "{}回应的 {} 在抓包缺失的字节里；显示为推断的 {}",
    ),
    (
        "{} got no reply before the control connection ended",
        "{} 在控制连接结束之前没有得到响应",
    ),
    (
        "{} got no reply in the capture: {t}",
        "{} 在抓包里没有得到响应：{}",
    ),
    ("the capture ends first", "抓包先结束了"),
    (
        "the control connection went silent (idle timeout)",
        "控制连接没有了动静（空闲超时）",
    ),
    (
        "the connection table was full and this connection was evicted",
        "连接表已满，这条连接被移出",
    ),
    // --- an address in PORT/EPRT/LPRT or a passive reply that cannot be read ---
    ("PORT: {t}", "PORT：{}"),
    ("EPRT: {t}", "EPRT：{}"),
    ("LPRT: {t}", "LPRT：{}"),
    ("PASV reply: {t}", "PASV 响应：{}"),
    ("EPSV reply: {t}", "EPSV 响应：{}"),
    ("LPSV reply: {t}", "LPSV 响应：{}"),
    (
        "{s}: field {n} is not a number ({})",
        "{}：第 {} 个字段不是数字（{}）",
    ),
    (
        "{s}: {} is more than 255 (field {n})",
        "{}：{} 大于 255（第 {} 个字段）",
    ),
    (
        "{s} needs {n} numbers, found {n} ({})",
        "{} 需要 {} 个数字，实际有 {} 个（{}）",
    ),
    (
        "{s} has too many numbers ({n}) ({})",
        "{} 的数字太多（{} 个）（{}）",
    ),
    ("PORT needs 6 numbers", "PORT 需要 6 个数字"),
    ("{s} is empty", "{} 为空"),
    ("{s} has no address length ({})", "{} 没有地址长度（{}）"),
    (
        "{s}: unknown address family {n} (4 = IPv4, 6 = IPv6) ({})",
        "{}：未知的地址族 {}（4 = IPv4，6 = IPv6）（{}）",
    ),
    (
        "{s}: address family {n} needs an address length of {n}, found {n} ({})",
        "{}：地址族 {} 需要的地址长度是 {}，实际是 {}（{}）",
    ),
    ("{s}: the address is cut short ({})", "{}：地址不完整（{}）"),
    (
        "{s}: the port length is missing after the address ({})",
        "{}：地址后面缺少端口长度（{}）",
    ),
    (
        "{s}: a TCP port has 2 bytes, the port length says {n} ({})",
        "{}：TCP 端口是 2 字节，端口长度却是 {}（{}）",
    ),
    (
        "{s}: the port length says 2 but {n} port numbers follow ({})",
        "{}：端口长度是 2，后面却有 {} 个端口数字（{}）",
    ),
    ("{s}: bad address length", "{}：地址长度错误"),
    (
        "{s}: the port is not a number ({})",
        "{}：端口不是数字（{}）",
    ),
    ("{s}: port {} is more than 65535", "{}：端口 {} 大于 65535"),
    ("{s} argument is empty", "{} 的参数为空"),
    (
        "{s}: the first character must be a delimiter such as '|', found {} ({})",
        "{}：第一个字符必须是 '|' 这样的分隔符，实际是 {}（{}）",
    ),
    (
        "{s} needs <d>family<d>address<d>port<d> with delimiter '{}' ({})",
        "{} 需要 <d>地址族<d>地址<d>端口<d> 的格式，分隔符为 '{}'（{}）",
    ),
    (
        "{s}: unknown address family {} (1 = IPv4, 2 = IPv6)",
        "{}：未知的地址族 {}（1 = IPv4，2 = IPv6）",
    ),
    (
        "{s}: address family {} but the address is {}",
        "{}：地址族是 {}，地址却是 {}",
    ),
    (
        "227 reply has no h1,h2,h3,h4,p1,p2 numbers ({})",
        "227 响应里没有 h1,h2,h3,h4,p1,p2 这几个数字（{}）",
    ),
    (
        "228 reply has no af,hal,address,pal,port numbers ({})",
        "228 响应里没有 af,hal,address,pal,port 这几个数字（{}）",
    ),
    (
        "229 reply has no (|||port|) ({})",
        "229 响应里没有 (|||port|)（{}）",
    ),
    (
        "the capture starts after this control connection opened: its handshake and everything before frame {n} are not in the capture; the client and server sides are inferred from port {n}",
        "抓包开始时这条控制连接已经打开：它的握手以及第 {} 帧之前的内容都不在抓包里；客户端和服务器是根据 {} 端口推断的",
    ),
    // --- advice for encrypted sessions, password guessing and bounce; unused announcements ---
    (
        "a stateful firewall's FTP helper (Linux nf_conntrack_ftp) cannot open the data connections of an encrypted session: allow the data ports explicitly, with a fixed passive port range on the server (vsftpd pasv_min_port/pasv_max_port, proftpd PassivePorts) opened in the firewall; or let the client send CCC after login so the helper can read the announcements",
        "有状态防火墙的 FTP 辅助模块（Linux nf_conntrack_ftp）无法为加密会话打开数据连接：要明确放行数据端口，即在服务器上固定被动端口范围（vsftpd pasv_min_port/pasv_max_port，proftpd PassivePorts）并在防火墙上开放它；或者让客户端登录后发送 CCC，使辅助模块能读到地址通告",
    ),
    (
        "block or rate-limit the client on the firewall (for example fail2ban on the server's log, or an nftables meter on new connections to port 21), and cap failed logins on the server (vsftpd max_login_fails, proftpd MaxLoginAttempts); check the accounts it tried",
        "在防火墙上封禁该客户端或限制它的速率（例如用 fail2ban 分析服务器日志，或对发往 21 端口的新连接使用 nftables meter），并在服务器上限制登录失败次数（vsftpd max_login_fails，proftpd MaxLoginAttempts）；检查它尝试过的账户",
    ),
    (
        "refuse PORT/EPRT to other hosts and to ports below 1024 on the server (vsftpd port_promiscuous=NO, the default; proftpd AllowForeignAddress off), as RFC 2577 recommends; a firewall in front of the server can also drop its data connections to third hosts",
        "按 RFC 2577 的建议，在服务器上拒绝指向其他主机或 1024 以下端口的 PORT/EPRT（vsftpd port_promiscuous=NO，即默认值；proftpd AllowForeignAddress off）；服务器前面的防火墙也可以丢弃它发往第三方主机的数据连接",
    ),
    (
        "the control connection is encrypted (FTPS): its PORT/PASV announcements cannot be read, by ftpflow or by a firewall; the data connections were linked by inference",
        "控制连接是加密的（FTPS）：无论 ftpflow 还是防火墙都读不到其中的 PORT/PASV 地址通告；数据连接是推断关联的",
    ),
    (
        "passive mode: the client opens the data connection to the server's port {n} (the announcement is encrypted)",
        "被动模式：客户端向服务器的 {} 端口发起数据连接（地址通告是加密的）",
    ),
    (
        "passive mode: the client opens the data connection to the server's port P (ports {} seen on {n} data connection[s]; no announcement could be read)",
        "被动模式：客户端向服务器的端口 P 发起数据连接（在 {1} 个数据连接上看到的端口为 {0}；没有能读到的地址通告）",
    ),
    (
        "so its outcome is unknown (status incomplete)",
        "结果未知（状态记为未完成）",
    ),
    (
        "the client's SYN to the announced {} was never answered ({t}), and no transfer command used the {} announcement (frame {n}): the announced address is not the server's address on the control connection ({}), so a server behind NAT announced an address the client cannot reach; the server must announce its public address (vsftpd pasv_address) or the client use EPSV",
        "客户端发往所告知地址 {} 的 SYN 一直没有应答（{}），也没有传输命令使用这次 {} 地址通告（第 {} 帧）：告知的地址不是服务器在控制连接上的地址（{}），说明 NAT 后面的服务器告知了客户端无法到达的地址；服务器必须告知它的公网地址（vsftpd pasv_address），或者客户端改用 EPSV",
    ),
    (
        "the client's SYN to the announced {} was never answered ({t}), and no transfer command used the {} announcement (frame {n}): the server's firewall must allow its passive port range",
        "客户端发往所告知地址 {} 的 SYN 一直没有应答（{}），也没有传输命令使用这次 {} 地址通告（第 {} 帧）：服务器的防火墙必须放行它的被动端口范围",
    ),
    (
        "the client's connection to the announced {} was refused (RST), and no transfer command used the {} announcement (frame {n}): the announced address is not the server's address on the control connection ({}), so a server behind NAT announced an address the client cannot reach; the server must announce its public address (vsftpd pasv_address) or the client use EPSV",
        "客户端到所告知地址 {} 的连接被拒绝（RST），也没有传输命令使用这次 {} 地址通告（第 {} 帧）：告知的地址不是服务器在控制连接上的地址（{}），说明 NAT 后面的服务器告知了客户端无法到达的地址；服务器必须告知它的公网地址（vsftpd pasv_address），或者客户端改用 EPSV",
    ),
    (
        "the client's connection to the announced {} was refused (RST), and no transfer command used the {} announcement (frame {n}): the server's firewall must allow its passive port range",
        "客户端到所告知地址 {} 的连接被拒绝（RST），也没有传输命令使用这次 {} 地址通告（第 {} 帧）：服务器的防火墙必须放行它的被动端口范围",
    ),
    (
        "the server's SYN to the announced {} was never answered ({t}), and no transfer command used the {} announcement (frame {n}): a firewall or NAT in front of the client drops the server's connection; passive mode avoids it",
        "服务器发往所告知地址 {} 的 SYN 一直没有应答（{}），也没有传输命令使用这次 {} 地址通告（第 {} 帧）：客户端前面的防火墙或 NAT 丢弃了服务器发起的连接；改用被动模式可以避免",
    ),
    (
        "the server's connection to the announced {} was refused (RST), and no transfer command used the {} announcement (frame {n}): a firewall or NAT in front of the client drops the server's connection; passive mode avoids it",
        "服务器到所告知地址 {} 的连接被拒绝（RST），也没有传输命令使用这次 {} 地址通告（第 {} 帧）：客户端前面的防火墙或 NAT 丢弃了服务器发起的连接；改用被动模式可以避免",
    ),
    // Part "listings" (issue 16): the `-v` table of a directory listing (report/listing_table.rs).
    ("type", "类型"),
    ("size", "大小"),
    ("modified", "修改时间"),
    ("name", "名称"),
    ("file", "文件"),
    ("dir", "目录"),
    ("link", "链接"),
    ("other", "其他"),
    // --- part "cli" of issue 16 (filters and tcpdump habits): -t headers, filter, -c ---
    (
        "capture starts {}; times below are UTC",
        "抓包开始于 {}；下面的时间是 UTC 时间",
    ),
    (
        "capture starts {}; times below are seconds since 1970-01-01 00:00:00 UTC",
        "抓包开始于 {}；下面的时间是从 1970-01-01 00:00:00 UTC 起的秒数（Unix 时间）",
    ),
    (
        "capture starts {}; times below are seconds since the session's previous step",
        "抓包开始于 {}；下面的时间是距同一会话上一步的秒数",
    ),
    (
        "step      time (UTC)   frame  connection",
        "步骤      时间 (UTC)    帧号  连接",
    ),
    (
        "step        date and time (UTC)   frame  connection",
        "步骤           日期和时间 (UTC)    帧号  连接",
    ),
    (
        "step        epoch time   frame  connection",
        "步骤         Unix 时间    帧号  连接",
    ),
    (
        "filter {}: {n} FTP session[s] kept, {n} left out ({n} unlinked data connection[s] left out)",
        "过滤 {}：保留 {} 个 FTP 会话，滤掉 {} 个（滤掉 {} 个未关联的数据连接）",
    ),
    (
        "stopped after {n} packets (-c {n}): the rest of the input was not read",
        "读到 {} 个包后停止（-c {}）：输入的其余部分没有读取",
    ),
    // Part "extract" (issue 16, files out of the capture): the transfer line's note.
    ("extracted as {}", "已提取为 {}"),
    // --- terminal width (issue 16, part "term"): the narrow timeline's column header ---
    (
        "step       time frame connection",
        "步骤       时间  帧号 连接",
    ),
    // --- pictures (issue 17): the ladder diagram's own words and the HTML page ---
    ("data #{n}", "数据连接 #{}"),
    ("time", "时间"),
    ("step", "步骤"),
    ("frame", "帧号"),
    ("Summary", "摘要"),
    ("Advice", "建议"),
    ("Fix", "解决办法"),
    ("{n} transfer[s]", "{} 次传输"),
    ("user {}", "用户 {}"),
    ("encrypted", "已加密"),
    (
        "no data, never established ({})",
        "没有数据，连接从未建立（{}）",
    ),
    ("SYN again (try {n})", "再次发送 SYN（第 {} 次尝试）"),
    ("+{n} line[s]", "另 {} 行"),
    ("capture starts {}", "抓包开始于 {}"),
    ("no data seen", "未见数据"),
    (
        "filter: address, port, user, command, status",
        "筛选：地址、端口、用户、命令、状态",
    ),
    ("all sessions", "全部会话"),
    ("with errors", "有错误的"),
    ("with warnings", "有警告的"),
    ("without problems", "没有问题的"),
    ("start", "开始"),
    ("steps", "步骤数"),
    ("findings", "发现"),
    ("problems", "问题"),
    ("page", "页"),
    ("previous", "上一页"),
    ("next", "下一页"),
    ("transfer", "传输"),
    ("Step", "步骤"),
    ("Finding", "发现"),
    ("error", "错误"),
    ("warning", "警告"),
    (
        "No FTP session in this capture.",
        "这个抓包里没有 FTP 会话。",
    ),
    (
        "{n} more step[s] not drawn: a diagram holds at most {n} (the timeline and JSON Lines have them all)",
        "另有 {} 步没有画出：一张图最多画 {} 步（时间线和 JSON Lines 有全部步骤）",
    ),
];
