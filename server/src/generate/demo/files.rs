//! Small generated attachment contents: text logs, CSV lists and real
//! (uncompressed) PNG images, so downloads open in ordinary viewers.

use std::fmt::Write as _;

use rand::Rng;
use rand::rngs::StdRng;
use sha2::{Digest, Sha256};

/// An attachment's bytes and how it is described.
pub struct File {
    pub title: String,
    pub name: String,
    pub content_type: &'static str,
    pub data: Vec<u8>,
}

impl File {
    pub fn sha256_hex(&self) -> String {
        hex::encode(Sha256::digest(&self.data))
    }
}

/// The same guide attached to several tickets, to show content stored once.
pub fn remote_access_guide() -> File {
    let text = "Remote access guide\n\
                ===================\n\n\
                1. Install the VPN client from the software portal.\n\
                2. Sign in with your work e-mail and password.\n\
                3. Approve the prompt in the authenticator app.\n\
                4. Connect to \"Office\" and open the shared drives as usual.\n\n\
                If the client says \"authentication timeout\", check that the\n\
                authenticator app is on your current phone, then raise a ticket.\n";
    File {
        title: "Remote access guide".into(),
        name: "remote-access-guide.txt".into(),
        content_type: "text/plain",
        data: text.as_bytes().to_vec(),
    }
}

/// A client-side attachment for a ticket: a screenshot, an error log or a list.
pub fn client_file(rng: &mut StdRng, ticket: i64, host: &str) -> File {
    match rng.gen_range(0..3) {
        0 => File {
            title: "Screenshot of the error".into(),
            name: format!("screenshot-{ticket}.png"),
            content_type: "image/png",
            data: screenshot(rng),
        },
        1 => {
            let mut log = String::new();
            let mut second = rng.gen_range(0..3600);
            for _ in 0..rng.gen_range(6..14) {
                second += rng.gen_range(1..90);
                let level = ["INFO", "WARN", "ERROR"][rng.gen_range(0..3)];
                let code = rng.gen_range(1000..9999);
                let _ = writeln!(
                    log,
                    "{:02}:{:02}:{:02} {level} {host} event {code}: {}",
                    8 + second / 3600,
                    second / 60 % 60,
                    second % 60,
                    [
                        "connection reset by peer",
                        "retrying request",
                        "service started",
                        "credential prompt shown",
                        "timeout waiting for response"
                    ][rng.gen_range(0..5)]
                );
            }
            File {
                title: "Error log".into(),
                name: format!("{host}-log.txt"),
                content_type: "text/plain",
                data: log.into_bytes(),
            }
        }
        _ => {
            let mut csv = String::from("device,serial,user,location\n");
            for i in 1..=rng.gen_range(3..9) {
                let _ = writeln!(
                    csv,
                    "{host}-{i:02},SN{:08},user{i},room {}",
                    rng.gen_range(0..100_000_000),
                    rng.gen_range(1..20)
                );
            }
            File {
                title: "Affected devices".into(),
                name: "devices.csv".into(),
                content_type: "text/csv",
                data: csv.into_bytes(),
            }
        }
    }
}

/// A 96×64 "window with a dialog" picture in random colours.
fn screenshot(rng: &mut StdRng) -> Vec<u8> {
    const W: usize = 96;
    const H: usize = 64;
    let bar: [u8; 3] = [rng.r#gen(), rng.r#gen(), rng.r#gen()];
    let dialog = (rng.gen_range(10..40), rng.gen_range(16..30));
    let mut pixels = Vec::with_capacity(H * (1 + 3 * W));
    for y in 0..H {
        pixels.push(0); // filter: none
        for x in 0..W {
            let in_dialog =
                (dialog.0..dialog.0 + 48).contains(&x) && (dialog.1..dialog.1 + 24).contains(&y);
            let rgb = if y < 8 {
                bar
            } else if in_dialog && y < dialog.1 + 5 {
                [200, 40, 40]
            } else if in_dialog {
                [250, 250, 250]
            } else {
                [228, 232, 236]
            };
            pixels.extend_from_slice(&rgb);
        }
    }
    png(W as u32, H as u32, &pixels)
}

/// An RGB PNG whose IDAT is zlib with stored (uncompressed) blocks.
fn png(width: u32, height: u32, raw: &[u8]) -> Vec<u8> {
    let mut zlib = vec![0x78, 0x01];
    let mut chunks = raw.chunks(65_535).peekable();
    while let Some(block) = chunks.next() {
        zlib.push(u8::from(chunks.peek().is_none()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(raw).to_be_bytes());

    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", &ihdr[..]),
        (b"IDAT", &zlib[..]),
        (b"IEND", &[][..]),
    ] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    out
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn png_has_valid_structure() {
        let raw = vec![0u8; 3 * (1 + 3 * 2)];
        let p = png(2, 3, &raw);
        assert!(p.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(&p[12..16], b"IHDR");
        assert!(p.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND's fixed CRC");
    }
}
