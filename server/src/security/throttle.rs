//! Sign-in throttling by source address, beside the lockout of each account
//! (docs/ROLES.md, "Signing in").
//!
//! An address may fail `free` sign-ins (whatever the e-mails) in a row;
//! from then on each further failure makes it wait before its next attempt,
//! one second at first and twice as long after each next failure, up to
//! `max_wait`. Attempts during the wait are refused before any password is
//! looked at, with the same answer for every e-mail, and do not count. An
//! address is forgotten once a whole window has passed since its last
//! failure and the end of its wait. A successful sign-in forgives nothing:
//! an attacker could otherwise interleave sign-ins to an account of its own.
//!
//! A failure counts once it is known, after the password was checked, so
//! that many good sign-ins at once from one address (a load test, an office
//! behind one router at nine) never add up to a wait. Attempts sent all at
//! once can therefore overshoot the free failures by as many as are in
//! flight (each costing the server one password verification), but once an
//! address waits every attempt is refused before any work.
//!
//! Addresses that signed in to an account recently are remembered for that
//! account ([`KnownAddresses`]): the account's lockout does not apply to
//! them, so an attacker elsewhere cannot keep its owner out by failing on
//! purpose. Both tables are in memory and start empty at each start.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// The wait after the first failure beyond the free ones, in milliseconds.
const FIRST_WAIT_MS: i64 = 1_000;
/// Addresses tracked before the idle ones are dropped.
const MAX_ADDRESSES: usize = 100_000;
/// Addresses remembered per account, the most recent first.
const KNOWN_PER_ACCOUNT: usize = 8;
/// How long an address an account signed in from stays known.
pub const KNOWN_FOR_MS: i64 = 30 * 24 * 3_600_000;
/// Accounts whose addresses are remembered before the oldest are dropped.
const MAX_ACCOUNTS: usize = 100_000;

/// How an address is throttled (milliseconds).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Failures in a row allowed without a wait.
    pub free: u32,
    /// Quiet time after which an address's failures are forgotten.
    pub window_ms: i64,
    /// The longest wait.
    pub max_wait_ms: i64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Record {
    failures: u32,
    last_failure: i64,
    wait_until: i64,
}

impl Record {
    fn forgotten(&self, now: i64, rule: Rule) -> bool {
        now - self.last_failure.max(self.wait_until) >= rule.window_ms
    }
}

/// Failed sign-ins by source address.
#[derive(Default)]
pub struct AddressThrottle {
    records: Mutex<HashMap<IpAddr, Record>>,
}

impl AddressThrottle {
    /// Milliseconds `addr` must still wait at `now` before its next attempt.
    pub fn wait_for(&self, addr: IpAddr, now: i64) -> Option<i64> {
        let records = self.records.lock().ok()?;
        records
            .get(&key(addr))
            .map(|r| r.wait_until - now)
            .filter(|left| *left > 0)
    }

    /// An attempt from `addr` at `now`: `Err` with the milliseconds left
    /// while the address must wait (the attempt does not count).
    pub fn check(&self, addr: IpAddr, now: i64) -> Result<(), i64> {
        match self.wait_for(addr, now) {
            Some(left) => Err(left),
            None => Ok(()),
        }
    }

    /// One more failed sign-in from `addr` at `now`; the wait it now has, if any.
    pub fn failed(&self, addr: IpAddr, now: i64, rule: Rule) -> Option<i64> {
        let mut records = self.records.lock().ok()?;
        if records.len() >= MAX_ADDRESSES {
            records.retain(|_, r| !r.forgotten(now, rule));
            if records.len() >= MAX_ADDRESSES {
                // Only the addresses made to wait are kept under such a flood.
                records.retain(|_, r| r.wait_until > now);
            }
        }
        let record = records.entry(key(addr)).or_default();
        if record.forgotten(now, rule) {
            *record = Record::default();
        }
        record.failures = record.failures.saturating_add(1);
        record.last_failure = now;
        let beyond = record.failures.saturating_sub(rule.free.max(1));
        if beyond == 0 {
            return None;
        }
        let doublings = (beyond - 1).min(40);
        let wait = FIRST_WAIT_MS
            .saturating_mul(1_i64 << doublings)
            .min(rule.max_wait_ms.max(FIRST_WAIT_MS));
        // A failure that was in flight while the address began to wait
        // does not shorten the wait.
        record.wait_until = record.wait_until.max(now + wait);
        Some(wait)
    }
}

/// An account: its kind ("contact", "staff") and id.
pub type AccountKey = (&'static str, i64);

/// The addresses each account signed in from lately, by (kind, id).
#[derive(Default)]
pub struct KnownAddresses {
    /// Each account's addresses, with when it last signed in from each.
    by_account: Mutex<HashMap<AccountKey, Vec<(IpAddr, i64)>>>,
}

impl KnownAddresses {
    /// The account signed in from `addr` at `now`.
    pub fn signed_in(&self, account: AccountKey, addr: IpAddr, now: i64) {
        let Ok(mut map) = self.by_account.lock() else {
            return;
        };
        if map.len() >= MAX_ACCOUNTS && !map.contains_key(&account) {
            map.retain(|_, seen| seen.iter().any(|(_, at)| now - at < KNOWN_FOR_MS));
            if map.len() >= MAX_ACCOUNTS {
                map.clear();
            }
        }
        let seen = map.entry(account).or_default();
        let addr = key(addr);
        seen.retain(|(a, at)| *a != addr && now - at < KNOWN_FOR_MS);
        seen.insert(0, (addr, now));
        seen.truncate(KNOWN_PER_ACCOUNT);
    }

    /// Whether the account signed in from `addr` within `KNOWN_FOR_MS` of `now`.
    pub fn knows(&self, account: AccountKey, addr: IpAddr, now: i64) -> bool {
        let addr = key(addr);
        self.by_account.lock().is_ok_and(|map| {
            map.get(&account).is_some_and(|seen| {
                seen.iter()
                    .any(|(a, at)| *a == addr && now - at < KNOWN_FOR_MS)
            })
        })
    }
}

/// The address as throttled: an IPv4 address as itself (also when written
/// as IPv6), an IPv6 address by its /64 network, which one host or home
/// usually holds whole.
pub fn key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: Rule = Rule {
        free: 3,
        window_ms: 60_000,
        max_wait_ms: 8_000,
    };

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    #[test]
    fn waits_start_after_the_free_failures_and_double_up_to_the_limit() {
        let t = AddressThrottle::default();
        let a = ip("192.0.2.1");
        let mut now = 0;
        for _ in 0..3 {
            assert_eq!(t.failed(a, now, RULE), None);
            assert_eq!(t.check(a, now), Ok(()));
        }
        let mut waits = Vec::new();
        for _ in 0..6 {
            let wait = t.failed(a, now, RULE).expect("a wait");
            assert_eq!(t.check(a, now + wait - 1), Err(1));
            waits.push(wait);
            now += wait;
            assert_eq!(t.check(a, now), Ok(()));
        }
        assert_eq!(waits, [1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
        // Another address is not held up.
        assert_eq!(t.check(ip("192.0.2.2"), now), Ok(()));
        assert_eq!(t.failed(ip("192.0.2.2"), now, RULE), None);
    }

    #[test]
    fn an_address_is_forgotten_a_window_after_its_last_failure_and_wait() {
        let t = AddressThrottle::default();
        let a = ip("192.0.2.1");
        for _ in 0..4 {
            t.failed(a, 0, RULE);
        }
        // Waiting out the wait is not enough: the next failure waits longer.
        assert_eq!(t.failed(a, 1_000, RULE), Some(2_000));
        // A quiet window after the wait: the free failures are back.
        assert_eq!(t.failed(a, 3_000 + 60_000, RULE), None);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_network_and_mapped_ipv4_as_ipv4() {
        let t = AddressThrottle::default();
        for host in 1..=4 {
            t.failed(ip(&format!("2001:db8:1:2::{host}")), 0, RULE);
        }
        assert!(t.check(ip("2001:db8:1:2:ffff::9"), 0).is_err());
        assert_eq!(t.check(ip("2001:db8:1:3::1"), 0), Ok(()));
        for _ in 0..4 {
            t.failed(ip("::ffff:192.0.2.7"), 0, RULE);
        }
        assert!(t.check(ip("192.0.2.7"), 0).is_err());
    }

    #[test]
    fn known_addresses_are_per_account_and_expire() {
        let known = KnownAddresses::default();
        let a = ip("192.0.2.1");
        known.signed_in(("contact", 1), a, 0);
        assert!(known.knows(("contact", 1), a, KNOWN_FOR_MS - 1));
        assert!(!known.knows(("contact", 1), a, KNOWN_FOR_MS));
        assert!(!known.knows(("contact", 2), a, 0));
        assert!(!known.knows(("staff", 1), a, 0));
        assert!(!known.knows(("contact", 1), ip("192.0.2.2"), 0));
        for host in 2..=20 {
            known.signed_in(("contact", 1), ip(&format!("192.0.2.{host}")), host);
        }
        // Only the most recent few are kept.
        assert!(!known.knows(("contact", 1), a, 100));
        assert!(known.knows(("contact", 1), ip("192.0.2.20"), 100));
    }
}
