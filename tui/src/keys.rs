//! Key bindings as data: named commands with default keys, overridable from
//! the config file (`[keys] reply = "r"`, or a list of keys).

use std::collections::{BTreeMap, HashMap};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

/// Declares the commands, each once: its name in the config file and its
/// default keys.
macro_rules! commands {
    ($($cmd:ident $name:literal [$($key:literal),*],)*) => {
        /// Commands a key can be bound to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Cmd {
            $($cmd,)*
        }

        impl Cmd {
            const ALL: &[(Cmd, &str, &[&str])] = &[$((Cmd::$cmd, $name, &[$($key),*]),)*];
        }
    };
}

commands! {
    Quit "quit" ["q"],
    Help "help" ["?", "f1"],
    NextTab "next_tab" ["tab"],
    PrevTab "prev_tab" ["backtab"],
    Down "down" ["down", "j"],
    Up "up" ["up", "k"],
    PageDown "page_down" ["pagedown", "space"],
    PageUp "page_up" ["pageup"],
    Top "top" ["home", "g"],
    Bottom "bottom" ["end", "G"],
    Refresh "refresh" ["ctrl-r", "f5"],
    PageSize "page_size" ["#"],
    Logout "logout" ["L"],
    NewTicket "new_ticket" ["n"],
    Filter "filter" ["/"],
    FilterPanel "filter_panel" ["f"],
    Sort "sort" ["s"],
    ReverseSort "reverse_sort" ["S"],
    ToggleView "toggle_view" ["v"],
    Reply "reply" ["r"],
    Resolution "resolution" ["R"],
    InternalNote "internal_note" ["i"],
    Status "status" ["c"],
    Attach "attach" ["a"],
    SaveAttachment "save_attachment" ["w"],
    Export "export" ["x"],
    AddSubscriber "add_subscriber" ["+"],
    RemoveSubscriber "remove_subscriber" ["-"],
    Priority "priority" ["p"],
    Assign "assign" ["A"],
    AddTask "add_task" ["t"],
    ToggleTask "toggle_task" ["T"],
    OlderTimeline "older_timeline" ["o"],
    Timer "timer" ["m"],
    LogTime "log_time" ["l"],
    Estimate "estimate" ["E"],
    Approve "approve" ["Y"],
    Decline "decline" ["N"],
    SignOff "sign_off" ["O"],
    Rate "rate" ["*"],
    Chat "chat" ["C"],
    MyTime "my_time" ["t"],
    EditTime "edit_time" ["e"],
    Delete "delete" ["d", "delete"],
    Edit "edit" ["e"],
    Password "password" ["p"],
    Sessions "sessions" ["s"],
    SignOutOthers "sign_out_others" ["X"],
    SshKeys "ssh_keys" ["K"],
    AddSshKey "add_ssh_key" ["a"],
    Users "users" ["u"],
    AddUser "add_user" ["a"],
    Level "level" ["l"],
    ResetPassword "reset_password" ["P"],
    ToggleActive "toggle_active" ["d"],
    Palette "palette" [":"],
    Invoices "invoices" ["i"],
    Agreements "agreements" ["a"],
    Pay "pay" ["$"],
    Void "void" ["V"],
    EmailInvoice "email_invoice" ["M"],
    NewAgreement "new_agreement" ["n"],
    Subscriptions "subscriptions" ["S"],
    RequestChange "request_change" ["r"],
    PreviewRun "preview_run" ["p"],
    RunBilling "run_billing" ["b"],
    NextSection "next_section" ["right"],
    PrevSection "prev_section" ["left"],
    // The administration screens.
    EditCompany "edit_company" ["C"],
    Preferences "preferences" ["o"],
    RelatedCompanies "related_companies" ["r"],
    Requests "requests" ["R"],
    Audit "audit" ["A"],
    Settings "settings" ["S"],
    Hours "hours" ["h"],
    Holidays "holidays" ["H"],
    ClientsSeeTime "clients_see_time" ["c"],
    Retry "retry" ["r"],
    // Triage: quick filters and saved views.
    QueueUnassigned "queue_unassigned" ["u"],
    QueueMine "queue_mine" ["m"],
    QueueCompany "queue_company" ["c"],
    QueuePriority "queue_priority" ["p"],
    QueueBreached "queue_breached" ["b"],
    QueueChats "queue_chats" ["w"],
    SaveView "save_view" ["W"],
    Views "views" ["V"],
    // The knowledge library and the account team (from any tab).
    Knowledge "knowledge" ["K"],
    Team "team" ["T"],
    NewArticle "new_article" ["n"],
    Archive "archive" ["d"],
    MayHelp "may_help" ["f2"],
}

impl Cmd {
    /// Every command with its name in the config file.
    pub fn all() -> impl Iterator<Item = (Cmd, &'static str)> {
        Self::ALL.iter().map(|(cmd, name, _)| (*cmd, *name))
    }

    fn by_name(name: &str) -> Option<Cmd> {
        Self::ALL
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(c, _, _)| *c)
    }
}

/// One key with its modifiers, e.g. `ctrl-r`, `S`, `f5`, `tab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
}

impl Key {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (ctrl, rest) = match text.strip_prefix("ctrl-") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let code = match rest.to_ascii_lowercase().as_str() {
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "delete" => KeyCode::Delete,
            f if f.len() > 1 && f.starts_with('f') => {
                let n: u8 = f[1..]
                    .parse()
                    .map_err(|_| format!("unknown key {text:?}"))?;
                KeyCode::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
                    _ => return Err(format!("unknown key {text:?}")),
                }
            }
        };
        Ok(Self { code, ctrl })
    }

    pub fn matches(self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        ctrl == self.ctrl && event.code == self.code
    }

    /// How help shows the key.
    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Tab => "Tab".to_owned(),
            KeyCode::BackTab => "Shift-Tab".to_owned(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{}", base.to_uppercase())
        } else {
            base
        }
    }
}

/// Config-file form of one binding: a key or a list of keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

/// The bindings in force.
#[derive(Debug, Clone)]
pub struct KeyMap {
    map: HashMap<Cmd, Vec<Key>>,
}

impl Default for KeyMap {
    fn default() -> Self {
        let map = Cmd::ALL
            .iter()
            .map(|(cmd, _, keys)| {
                let keys = keys.iter().filter_map(|k| Key::parse(k).ok()).collect();
                (*cmd, keys)
            })
            .collect();
        Self { map }
    }
}

impl KeyMap {
    /// Defaults with the config file's overrides applied.
    pub fn with_overrides(overrides: &BTreeMap<String, KeySpec>) -> Result<Self, String> {
        let mut keymap = Self::default();
        for (name, spec) in overrides {
            let cmd =
                Cmd::by_name(name).ok_or_else(|| format!("keys: unknown command {name:?}"))?;
            let texts = match spec {
                KeySpec::One(k) => vec![k.clone()],
                KeySpec::Many(ks) => ks.clone(),
            };
            let keys = texts
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<Vec<_>, _>>()?;
            keymap.map.insert(cmd, keys);
        }
        Ok(keymap)
    }

    pub fn is(&self, cmd: Cmd, event: &KeyEvent) -> bool {
        self.map
            .get(&cmd)
            .is_some_and(|keys| keys.iter().any(|k| k.matches(event)))
    }

    /// The key press that runs `cmd` (its first key), for the palette.
    pub fn press(&self, cmd: Cmd) -> Option<KeyEvent> {
        let key = self.map.get(&cmd)?.first()?;
        let modifiers = if key.ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        Some(KeyEvent::new(key.code, modifiers))
    }

    /// The keys of a command for help and hints, e.g. `?/F1`.
    pub fn label(&self, cmd: Cmd) -> String {
        self.map
            .get(&cmd)
            .map(|keys| keys.iter().map(|k| k.label()).collect::<Vec<_>>().join("/"))
            .unwrap_or_default()
    }
}

/// Plain-key helpers for navigation that is not configurable.
pub fn is_ctrl(event: &KeyEvent, c: char) -> bool {
    event.modifiers.contains(KeyModifiers::CONTROL) && event.code == KeyCode::Char(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_and_overrides() {
        let mut o = BTreeMap::new();
        o.insert(
            "reply".to_owned(),
            KeySpec::Many(vec!["ctrl-y".into(), "f2".into()]),
        );
        let km = KeyMap::with_overrides(&o).expect("valid");
        assert!(km.is(Cmd::Reply, &key(KeyCode::Char('y'), KeyModifiers::CONTROL)));
        assert!(km.is(Cmd::Reply, &key(KeyCode::F(2), KeyModifiers::NONE)));
        assert!(!km.is(Cmd::Reply, &key(KeyCode::Char('r'), KeyModifiers::NONE)));
        assert!(km.is(Cmd::Quit, &key(KeyCode::Char('q'), KeyModifiers::NONE)));
        assert!(km.is(
            Cmd::ReverseSort,
            &key(KeyCode::Char('S'), KeyModifiers::SHIFT)
        ));
        assert_eq!(km.label(Cmd::Reply), "Ctrl-Y/F2");
    }

    #[test]
    fn bad_overrides_are_refused() {
        let mut o = BTreeMap::new();
        o.insert("nope".to_owned(), KeySpec::One("x".into()));
        assert!(KeyMap::with_overrides(&o).is_err());
        let mut o = BTreeMap::new();
        o.insert("quit".to_owned(), KeySpec::One("xyz".into()));
        assert!(KeyMap::with_overrides(&o).is_err());
    }
}
