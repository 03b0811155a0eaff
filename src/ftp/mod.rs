//! FTP control-channel parsing (pure functions over bytes; session state lives in the tracker).
