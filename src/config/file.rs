//! Reading the files a config names (the config itself, secrets, certificates) without ever
//! blocking: a path replaced by a FIFO would otherwise hang the reader until a writer comes,
//! and with it the watcher, every later reload and the shutdown that waits for it.

use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The largest file read: configs, secrets and certificates are a few kilobytes.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a regular file as text. The file is opened without blocking (`O_NONBLOCK`, so a
/// FIFO or a device opens at once) and refused unless the opened file is a regular one,
/// checked on the open descriptor, so it cannot be swapped between the check and the read.
pub fn read_regular(path: &Path) -> io::Result<String> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file (a {})", kind(&meta.file_type())),
        ));
    }
    if meta.len() > MAX_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} bytes, more than the {MAX_BYTES} a config file may hold",
                meta.len()
            ),
        ));
    }
    let mut text = String::with_capacity(meta.len() as usize);
    Read::by_ref(&mut file)
        .take(MAX_BYTES + 1)
        .read_to_string(&mut text)?;
    Ok(text)
}

/// Reads a regular file as bytes, as [`read_regular`] does.
pub fn read_regular_bytes(path: &Path) -> io::Result<Vec<u8>> {
    read_regular(path).map(String::into_bytes)
}

fn kind(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "folder"
    } else if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "socket"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("vmyard.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = read_regular(&fifo).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("FIFO"), "{e}");
    }

    #[test]
    fn a_folder_is_refused_and_a_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_regular(dir.path()).unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
        let f = dir.path().join("a");
        std::fs::write(&f, "x = 1\n").unwrap();
        assert_eq!(read_regular(&f).unwrap(), "x = 1\n");
    }
}
