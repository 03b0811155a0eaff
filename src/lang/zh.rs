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
        "the {t} acknowledges and closes in one segment ({t})",
        "{}在一个数据段里确认并断开（{}）",
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
        "{} — {n} packets, {} · {n} FTP sessions · {n} data connections linked · {n} unlinked · {n} other TCP connections",
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
        "PASV reply announces {} but the server's address on the control connection is {}: the server is behind NAT and announces its private address; clients must use the control connection's address instead",
        "PASV 响应告知的地址是 {}，但控制连接上服务器的地址是 {}：服务器在 NAT 后面，告知的是它的私有地址；客户端必须改用控制连接的地址",
    ),
    (
        "PORT announces {} but the client's address on the control connection is {}: a NAT without FTP support, a rewritten capture, or a third host (FTP bounce)",
        "PORT 告知的地址是 {}，但控制连接上客户端的地址是 {}：不支持 FTP 的 NAT、被改写的抓包，或第三台主机（FTP 反弹攻击）",
    ),
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
        "transfer {n} ({}): the server's SYN to {} was never answered. In active mode the server must reach the client; a firewall or NAT in front of the client drops it. Passive mode (PASV/EPSV) avoids this because the client opens the data connection.",
        "第 {} 次传输（{}）：服务器发往 {} 的 SYN 一直没有应答。主动模式下服务器必须连到客户端；客户端前面的防火墙或 NAT 丢弃了它。被动模式（PASV/EPSV）由客户端发起数据连接，可以避免这个问题。",
    ),
    (
        "transfer {n} ({}): the server's SYN to {} was never answered. In active mode the server must reach the client; a firewall or NAT in front of the client (the announced address is private) drops it. Passive mode (PASV/EPSV) avoids this because the client opens the data connection.",
        "第 {} 次传输（{}）：服务器发往 {} 的 SYN 一直没有应答。主动模式下服务器必须连到客户端；客户端前面的防火墙或 NAT（告知的是私有地址）丢弃了它。被动模式（PASV/EPSV）由客户端发起数据连接，可以避免这个问题。",
    ),
    (
        "AUTH was accepted ({n}): the control connection is encrypted from here on; commands, replies and data-connection announcements can no longer be read",
        "AUTH 已被接受（{}）：从这里开始控制连接被加密；命令、响应和数据连接的地址通告都无法再读到",
    ),
    // --- terminal width (issue 16, part "term"): the narrow timeline's column header ---
    (
        "step       time frame connection",
        "步骤       时间  帧号 连接",
    ),
];
