//! Items per page: a choice on every paged list (the ticket list, Triage,
//! Home's open tickets, invoices, the audit log, the knowledge library),
//! cycled with a key and remembered per
//! list in the config file's `[page_size]` table (docs/CONFIG.md).

use std::collections::BTreeMap;
use std::path::Path;

/// The sizes a list cycles through.
pub const CHOICES: [u32; 3] = [25, 50, 100];
/// A list's size until one is chosen (or when the file names another).
pub const DEFAULT: u32 = 50;

/// A list's items per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(pub u32);

impl Default for PageSize {
    fn default() -> Self {
        Self(DEFAULT)
    }
}

impl PageSize {
    /// The size after this one, round the choices.
    #[must_use]
    pub fn next(self) -> Self {
        let at = CHOICES.iter().position(|c| *c == self.0).unwrap_or(1);
        Self(CHOICES[(at + 1) % CHOICES.len()])
    }
}

/// The size remembered for `list`; one that is not a choice is the default.
pub fn of(sizes: &BTreeMap<String, u32>, list: &str) -> PageSize {
    PageSize(
        sizes
            .get(list)
            .copied()
            .filter(|s| CHOICES.contains(s))
            .unwrap_or(DEFAULT),
    )
}

/// Writes `[page_size] list = size` into the config file at `path`,
/// keeping everything else in it as it was (comments too); a missing file
/// is created.
pub fn remember(path: &Path, list: &str, size: u32) -> Result<(), String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let table = doc
        .entry("page_size")
        .or_insert_with(toml_edit::table)
        .as_table_mut()
        .ok_or_else(|| format!("{}: page_size is not a table", path.display()))?;
    table[list] = toml_edit::value(i64::from(size));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, doc.to_string()).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_cycle_and_odd_ones_fall_back() {
        assert_eq!(PageSize(25).next(), PageSize(50));
        assert_eq!(PageSize::default().next(), PageSize(100));
        assert_eq!(PageSize(100).next(), PageSize(25));
        let mut sizes = BTreeMap::new();
        sizes.insert("tickets".to_owned(), 100);
        sizes.insert("invoices".to_owned(), 7);
        assert_eq!(of(&sizes, "tickets"), PageSize(100));
        assert_eq!(of(&sizes, "invoices"), PageSize::default());
        assert_eq!(of(&sizes, "home"), PageSize(DEFAULT));
    }

    #[test]
    fn remembering_keeps_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal").join("config.toml");
        remember(&path, "tickets", 25).unwrap();
        let first = std::fs::read_to_string(&path).unwrap();
        assert!(first.contains("[page_size]") && first.contains("tickets = 25"));
        std::fs::write(
            &path,
            "# mine\nserver = \"https://x:1\"\n[page_size]\ntickets = 25\n",
        )
        .unwrap();
        remember(&path, "invoices", 100).unwrap();
        remember(&path, "tickets", 50).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# mine\nserver = \"https://x:1\""),
            "{text}"
        );
        let config = crate::config::Config::parse(&text).unwrap();
        assert_eq!(of(&config.page_size, "tickets"), PageSize(50));
        assert_eq!(of(&config.page_size, "invoices"), PageSize(100));
    }
}
