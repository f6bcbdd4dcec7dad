//! What the kernel says about a process: memory (`/proc/<pid>/status`) and bytes written to
//! storage (`/proc/self/io`), and the size of a directory.

use std::path::Path;

/// Memory of a process, in KiB.
#[derive(Clone, Copy, Debug, Default)]
pub struct Memory {
    /// Peak resident set (`VmHWM`).
    pub peak: u64,
    /// Resident set now (`VmRSS`).
    pub rss: u64,
    /// Anonymous resident memory now (`RssAnon`: heap, not the page cache).
    pub anon: u64,
    /// File-backed resident memory now (`RssFile`: mapped files).
    pub file: u64,
}

/// The memory of process `pid` ("self" for this one).
pub fn memory(pid: &str) -> Memory {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| kib(&text, name);
    Memory {
        peak: field("VmHWM:"),
        rss: field("VmRSS:"),
        anon: field("RssAnon:"),
        file: field("RssFile:"),
    }
}

/// Bytes this process has caused to be written to storage (`write_bytes` of
/// `/proc/self/io`, every thread).
pub fn written_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("write_bytes:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The bytes of the files under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// File-backed memory of this process mapped in 2 MiB pages, and all of it, in KiB
/// (`FilePmdMapped` of `/proc/self/smaps_rollup`, `RssFile` of its status): how much of
/// libmurr's mapped segments a random read reaches through one page-table entry per 2 MiB.
pub fn huge_file_mapped() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup").unwrap_or_default();
    (kib(&text, "FilePmdMapped:"), memory("self").file)
}

/// The value of the `name` line (`name` with its colon) of a `/proc` file in KiB, 0 when
/// absent.
fn kib(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
