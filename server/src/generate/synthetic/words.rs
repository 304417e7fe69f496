//! A vocabulary for synthetic text: a few hundred real service-desk words
//! (the most frequent) followed by generated words (rarer), drawn with a
//! Zipf-like distribution so a search for one term matches a small share of
//! tickets, as in a real store; and the identifiers people search for,
//! asset tags (a few tickets each) and error codes (a few hundred each).

use std::fmt::Write;

use rand::Rng;
use rand::rngs::StdRng;

const CORE: &str = "
printer vpn outlook laptop backup firewall password invoice scanner wifi
email mailbox calendar account login locked reset error crash slow network
internet server switch router cable monitor keyboard mouse dock screen phone
update install license software driver windows office teams browser chrome
folder drive share file files restore deleted permission access user users
new starter leaver setup desk remote site office warehouse clinic studio
toner paper jam tray copier label queue spooler print scan fax sync cloud
disk storage space full quota archive spam phishing virus malware alert
antivirus suspicious link attachment bounce delivery domain dns certificate
expired renewal wireless signal access point guest port vlan camera recorder
ups battery power fan noise overheating warranty replacement order quote
tablet handheld barcode sign signature pdf excel word spreadsheet database
application portal website form vendor supplier customer client manager
meeting audio video microphone speaker headset webcam echo call voicemail
extension transfer ticket request urgent today tomorrow morning afternoon
again still intermittent sometimes always never everyone nobody several
cannot unable fails failed failing stopped stuck frozen missing wrong
working broken dead flickering beeping loud blank black red orange green
restart reboot reinstall repair replace move upgrade migrate configure check
please help thanks confirm schedule visit onsite after hours weekend
backup nightly job snapshot retention offsite encryption bitlocker recovery
key token authenticator mfa code prompt approve lost stolen wipe device
mobile iphone android laptop dock charger adapter hdmi usb bluetooth pairing
sharepoint onedrive dropbox teams zoom slack accounting payroll billing
scheduling imaging xray dental cad drafting render plotter shipping dispatch
inventory forklift pallet truck route driver manifest customs freight
";

const FILLER: &str = "
the a an and or but with from for on in at to of my our their this that
it is was has have had not no yes when since after before while during
because so then also only just very more less some any every each other
one two three first second last next all both few many much most
i we they he she you me us them who what which where how why
can could should would will may might must need needs want wants
shows says said see seen get gets got make makes made take takes took
open opens opened close closes closed send sends sent receive received
keep keeps kept come comes came go goes went look looks looked try tried
";

const SYLLABLES: [&str; 40] = [
    "ka", "lo", "mi", "ren", "tas", "vel", "dor", "qua", "zen", "bri", "fal", "gor", "hin", "jet",
    "kir", "lum", "mor", "nex", "pol", "rix", "sol", "tor", "ul", "vax", "wen", "yor", "zim",
    "arc", "bel", "cor", "dex", "fen", "gal", "hex", "ion", "jor", "kel", "lex", "mon", "nor",
];

/// Kinds of asset in an asset tag.
const ASSETS: [&str; 6] = ["PC", "LT", "PR", "SRV", "FW", "SW"];
/// Distinct asset numbers: with 30 % of tickets naming one, about three
/// tickets in a million-ticket store share each.
const ASSET_NUMBERS: u32 = 100_000;
/// Distinct error codes in use.
const ERROR_CODES: usize = 2000;

pub struct Vocabulary {
    words: Vec<String>,
    error_codes: Vec<u32>,
}

impl Vocabulary {
    /// The core words, then generated ones up to `size` words in all.
    pub fn new(size: usize, rng: &mut StdRng) -> Self {
        let mut words: Vec<String> = Vec::with_capacity(size);
        let mut seen = std::collections::HashSet::new();
        for w in FILLER.split_whitespace().chain(CORE.split_whitespace()) {
            if seen.insert(w) {
                words.push(w.to_owned());
            }
        }
        let mut generated = std::collections::HashSet::new();
        while words.len() < size {
            let n = rng.gen_range(2..=4);
            let w: String = (0..n)
                .map(|_| SYLLABLES[rng.gen_range(0..SYLLABLES.len())])
                .collect();
            if !seen.contains(w.as_str()) && generated.insert(w.clone()) {
                words.push(w);
            }
        }
        let error_codes = (0..ERROR_CODES).map(|_| rng.r#gen()).collect();
        Self { words, error_codes }
    }

    /// Appends, now and then, an asset tag (30 % of texts) and an error
    /// code (10 %).
    pub fn identifiers(&self, rng: &mut StdRng, out: &mut String) {
        if rng.gen_bool(0.3) {
            let kind = ASSETS[rng.gen_range(0..ASSETS.len())];
            let number = rng.gen_range(0..ASSET_NUMBERS);
            let _ = write!(out, " Asset {kind}-{number:05}."); // a String takes any write
        }
        if rng.gen_bool(0.1) {
            let code = self.error_codes[rng.gen_range(0..self.error_codes.len())];
            let _ = write!(out, " Error 0x{code:08X}.");
        }
    }

    /// A word drawn with probability falling as 1/rank.
    pub fn word(&self, rng: &mut StdRng) -> &str {
        let n = self.words.len() as f64;
        let rank = (n.powf(rng.r#gen::<f64>()) - 1.0) as usize;
        &self.words[rank.min(self.words.len() - 1)]
    }

    /// `count` words joined by spaces, the first capitalised.
    pub fn sentence(&self, rng: &mut StdRng, count: usize, out: &mut String) {
        for i in 0..count {
            let w = self.word(rng);
            if i == 0 {
                let mut chars = w.chars();
                if let Some(c) = chars.next() {
                    out.extend(c.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push(' ');
                out.push_str(w);
            }
        }
    }

    /// A post: one to three short sentences.
    pub fn post(&self, rng: &mut StdRng) -> String {
        let words = rng.gen_range(8..=25);
        self.text(rng, words)
    }

    /// Text of about `words` words in sentences.
    pub fn text(&self, rng: &mut StdRng, words: usize) -> String {
        let mut out = String::with_capacity(words * 8);
        let mut left = words;
        while left > 0 {
            let n = rng.gen_range(5..=12).min(left);
            if !out.is_empty() {
                out.push(' ');
            }
            self.sentence(rng, n, &mut out);
            out.push('.');
            left -= n;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn frequent_words_are_frequent_and_rare_words_exist() {
        let mut rng = StdRng::seed_from_u64(1);
        let v = Vocabulary::new(4000, &mut rng);
        assert_eq!(v.words.len(), 4000);
        let draws = 100_000;
        let mut counts = std::collections::HashMap::new();
        for _ in 0..draws {
            *counts.entry(v.word(&mut rng).to_owned()).or_insert(0) += 1;
        }
        let printer = counts.get("printer").copied().unwrap_or(0);
        assert!(
            printer > 0 && printer < draws / 100,
            "printer drawn {printer} times"
        );
        assert!(counts.len() > 2000, "only {} distinct words", counts.len());
    }
}
