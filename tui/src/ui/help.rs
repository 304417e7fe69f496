//! `?`: every key of the current screen, then the keys that work everywhere
//! the screen does not take for itself (each key is listed once).

use super::popup::Popup;
use super::{HelpLines, TabId, help_line, plain_help};
use crate::keys::{Cmd, KeyMap};

pub fn popup(screen: &str, mut lines: HelpLines, keys: &KeyMap, tabs: &[TabId]) -> Popup {
    let taken: Vec<String> = lines.iter().flat_map(|(k, _)| key_names(k)).collect();
    let numbers = format!("1–{}", tabs.len());
    let names: Vec<&str> = tabs.iter().map(|t| t.title()).collect();
    let global: HelpLines = [
        plain_help(&numbers, &format!("go to {}", names.join(", "))),
        help_line(keys, Cmd::NextTab, "next tab"),
        help_line(keys, Cmd::PrevTab, "previous tab"),
        help_line(keys, Cmd::Help, "this help"),
        help_line(
            keys,
            Cmd::Palette,
            "palette: find and run any command, tab or #ticket",
        ),
        help_line(
            keys,
            Cmd::Knowledge,
            "the knowledge library: articles that may help",
        ),
        help_line(
            keys,
            Cmd::Team,
            "our account team (staff: a company's, on Companies)",
        ),
        help_line(keys, Cmd::Logout, "sign out"),
        help_line(keys, Cmd::Quit, "quit (Esc closes popups first)"),
        plain_help("Ctrl-C", "quit from anywhere"),
    ]
    .into_iter()
    .filter(|(k, _)| !key_names(k).iter().any(|name| taken.contains(name)))
    .collect();
    lines.push((String::new(), String::new()));
    lines.extend(global);
    Popup::help(format!("Keys: {screen}"), lines)
}

/// The keys a help line names: "Tab/Shift-Tab" is Tab and Shift-Tab.
fn key_names(keys: &str) -> Vec<String> {
    keys.split(['/', ' '])
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_the_screen_lists_is_not_listed_again() {
        let lines = vec![plain_help("Tab/Shift-Tab", "next / previous field")];
        let Popup::Help { lines, .. } = popup("Form", lines, &KeyMap::default(), &[TabId::Home])
        else {
            panic!("a help popup")
        };
        let tabs = lines
            .iter()
            .filter(|(k, _)| key_names(k).contains(&"Tab".to_owned()))
            .count();
        assert_eq!(tabs, 1, "{lines:?}");
        assert!(lines.iter().any(|(k, _)| k == "Ctrl-C"));
    }
}
