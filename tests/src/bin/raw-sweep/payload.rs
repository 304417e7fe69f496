//! The bytes sent: messages built from a method's request descriptor with
//! plausible and extreme values, then (most of the time) damaged at the wire
//! level: random bytes, bit flips, truncation, a wrong wire type, a huge
//! length, deep nesting, invalid UTF-8 in a string, an overlong varint.

use prost::Message as _;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, Value};
use rand::Rng;
use rand::rngs::StdRng;

/// What was done to a valid message; the report counts inputs by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Damage {
    /// A message as its descriptor allows (values may still be refused).
    None,
    /// Bytes from the random generator, no message at all.
    Random,
    BitFlips,
    Truncated,
    WrongWireType,
    HugeLength,
    DeepNesting,
    BadUtf8,
    OverlongVarint,
    UnknownFields,
}

impl Damage {
    pub const ALL: [Damage; 10] = [
        Damage::None,
        Damage::Random,
        Damage::BitFlips,
        Damage::Truncated,
        Damage::WrongWireType,
        Damage::HugeLength,
        Damage::DeepNesting,
        Damage::BadUtf8,
        Damage::OverlongVarint,
        Damage::UnknownFields,
    ];

    pub fn pick(rng: &mut StdRng) -> Self {
        // A valid message a quarter of the time, so the handlers' own checks
        // are reached as often as the decoder's.
        if rng.gen_bool(0.25) {
            Damage::None
        } else {
            Self::ALL[rng.gen_range(1..Self::ALL.len())]
        }
    }
}

/// Strings worth trying: empty, ordinary, the demo's own values, very long,
/// control characters, quotes and operators, non-Latin text.
const STRINGS: &[&str] = &[
    "",
    "x",
    "Printer on floor 2 is jammed",
    "uma@harbor.example",
    "paula@keystone.example",
    "alice@harbor.example",
    "nobody@nowhere.example",
    "not-an-email",
    "Portal-Demo-2026!",
    "2026-12-01",
    "2026-12-01T10:00:00Z",
    "Europe/Berlin",
    "Not/AZone",
    "USD",
    "12.50",
    "-1",
    "1e309",
    "0",
    "\0",
    "\u{202e}gnp.exe",
    "' OR 1=1 --",
    "\"quoted\" AND NOT title:x*",
    "NEAR(a b)",
    "a\u{0301}",
    "日本語のチケット",
    "\u{1f600}\u{fe0f}",
    " \t\r\n ",
    "report.pdf",
    "../../etc/passwd",
    "application/pdf",
    "text/html",
];

/// Numbers worth trying: small ids that exist in the demo, the edges.
fn number(rng: &mut StdRng) -> i64 {
    match rng.gen_range(0..10) {
        0 => 0,
        1 => -1,
        2 => i64::MAX,
        3 => i64::MIN,
        4 => i64::from(i32::MAX) + 1,
        5 => rng.gen_range(1000..1600),
        _ => rng.gen_range(1..60),
    }
}

fn text(rng: &mut StdRng) -> String {
    match rng.gen_range(0..20) {
        0 => "x".repeat(rng.gen_range(200..70_000)),
        1 => (0..rng.gen_range(1..40))
            .map(|_| char::from_u32(rng.gen_range(1..0x11_0000)).unwrap_or('?'))
            .collect(),
        _ => STRINGS[rng.gen_range(0..STRINGS.len())].to_owned(),
    }
}

fn scalar(kind: &Kind, rng: &mut StdRng, depth: u32) -> Value {
    match kind {
        Kind::Double => {
            Value::F64([0.0, 1.5, -1.0, f64::NAN, f64::INFINITY, 1e300][rng.gen_range(0..6)])
        }
        Kind::Float => Value::F32([0.0, 2.5, -1.0, f32::NAN, f32::MAX][rng.gen_range(0..5)]),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            Value::I32(i32::try_from(number(rng)).unwrap_or(i32::MAX))
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Value::I64(number(rng)),
        Kind::Uint32 | Kind::Fixed32 => Value::U32(number(rng).unsigned_abs() as u32),
        Kind::Uint64 | Kind::Fixed64 => Value::U64(number(rng).unsigned_abs()),
        Kind::Bool => Value::Bool(rng.r#gen()),
        Kind::String => Value::String(text(rng)),
        Kind::Bytes => {
            let len = if rng.gen_range(0..20) == 0 {
                rng.gen_range(1_000..200_000)
            } else {
                rng.gen_range(0..64)
            };
            Value::Bytes((0..len).map(|_| rng.r#gen::<u8>()).collect())
        }
        Kind::Enum(e) => {
            let values: Vec<i32> = e.values().map(|v| v.number()).collect();
            if values.is_empty() || rng.gen_range(0..8) == 0 {
                Value::EnumNumber([99, -1, i32::MAX][rng.gen_range(0..3)])
            } else {
                Value::EnumNumber(values[rng.gen_range(0..values.len())])
            }
        }
        Kind::Message(m) => Value::Message(message(m, rng, depth + 1)),
    }
}

fn value(field: &FieldDescriptor, rng: &mut StdRng, depth: u32) -> Value {
    let kind = field.kind();
    if field.is_list() {
        // Long lists only at the top, so messages stay small enough to send
        // by the thousand.
        let n = if depth == 0 && rng.gen_range(0..30) == 0 {
            rng.gen_range(50..300)
        } else {
            rng.gen_range(0..3)
        };
        Value::List((0..n).map(|_| scalar(&kind, rng, depth)).collect())
    } else {
        scalar(&kind, rng, depth)
    }
}

/// A message of type `desc`, each field set or not at random.
pub fn message(desc: &MessageDescriptor, rng: &mut StdRng, depth: u32) -> DynamicMessage {
    let mut msg = DynamicMessage::new(desc.clone());
    if depth > 3 {
        return msg;
    }
    for field in desc.fields() {
        if field.is_map() || !rng.gen_bool(0.6) {
            continue;
        }
        let v = value(&field, rng, depth);
        // A value of the wrong type for the field is skipped, not a panic.
        let _ = msg.try_set_field(&field, v);
    }
    msg
}

/// A message of type `desc`, damaged by `damage`.
pub fn bytes(desc: &MessageDescriptor, damage: Damage, rng: &mut StdRng) -> Vec<u8> {
    if damage == Damage::Random {
        let len = rng.gen_range(0..300);
        return (0..len).map(|_| rng.r#gen::<u8>()).collect();
    }
    let mut b = message(desc, rng, 0).encode_to_vec();
    match damage {
        Damage::None | Damage::Random => {}
        Damage::BitFlips => {
            if b.is_empty() {
                b.push(rng.r#gen());
            }
            for _ in 0..rng.gen_range(1..4) {
                let i = rng.gen_range(0..b.len());
                b[i] ^= 1 << rng.gen_range(0..8);
            }
        }
        Damage::Truncated => {
            if !b.is_empty() {
                b.truncate(rng.gen_range(0..b.len()));
            }
        }
        Damage::WrongWireType => wrong_wire_type(&mut b, desc, rng),
        Damage::HugeLength => huge_length(&mut b, desc, rng),
        Damage::DeepNesting => deep_nesting(&mut b, desc, rng),
        Damage::BadUtf8 => bad_utf8(&mut b, desc, rng),
        Damage::OverlongVarint => {
            // A key of eleven bytes (at most ten are allowed).
            b.extend([0xff; 10]);
            b.push(0x01);
        }
        Damage::UnknownFields => {
            for _ in 0..rng.gen_range(1..5) {
                let number = rng.gen_range(1000..536_870_911_u64);
                let wire = [0_u64, 1, 2, 5][rng.gen_range(0..4)];
                varint(&mut b, (number << 3) | wire);
                match wire {
                    0 => varint(&mut b, rng.r#gen()),
                    1 => b.extend(rng.r#gen::<u64>().to_le_bytes()),
                    2 => {
                        varint(&mut b, 3);
                        b.extend(b"abc");
                    }
                    _ => b.extend(rng.r#gen::<u32>().to_le_bytes()),
                }
            }
        }
    }
    b
}

pub fn varint(b: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        b.push((v as u8) | 0x80);
        v >>= 7;
    }
    b.push(v as u8);
}

/// A field of `desc` picked at random, or `None` when it has no fields.
fn some_field(desc: &MessageDescriptor, rng: &mut StdRng) -> Option<FieldDescriptor> {
    let fields: Vec<_> = desc.fields().collect();
    (!fields.is_empty()).then(|| fields[rng.gen_range(0..fields.len())].clone())
}

/// Appends a known field under a wire type its type does not have (or an
/// invalid one, 6 or 7).
fn wrong_wire_type(b: &mut Vec<u8>, desc: &MessageDescriptor, rng: &mut StdRng) {
    let number = some_field(desc, rng).map_or(1, |f| u64::from(f.number()));
    let wire = rng.gen_range(0..8_u64);
    varint(b, (number << 3) | wire);
    match wire {
        0 => varint(b, 300),
        1 => b.extend([7; 8]),
        2 => {
            varint(b, 2);
            b.extend([0x08, 0x01]);
        }
        5 => b.extend([7; 4]),
        // A group start without its end, a group end without a start, and
        // the two wire types that do not exist: nothing follows.
        _ => {}
    }
}

/// Appends a length-delimited field whose length runs far past the end.
fn huge_length(b: &mut Vec<u8>, desc: &MessageDescriptor, rng: &mut StdRng) {
    let number = some_field(desc, rng).map_or(1, |f| u64::from(f.number()));
    varint(b, (number << 3) | 2);
    let huge = [
        u64::from(u32::MAX),
        u64::from(u32::MAX) + 1,
        u64::MAX,
        1 << 31,
        1 << 62,
    ];
    varint(b, huge[rng.gen_range(0..huge.len())]);
    b.extend(b"short");
}

/// Nests far beyond any decoder's recursion limit: groups inside groups,
/// or a message field inside itself (which a decoder must parse).
fn deep_nesting(b: &mut Vec<u8>, desc: &MessageDescriptor, rng: &mut StdRng) {
    let depth = rng.gen_range(100..5_000);
    if rng.gen_bool(0.5) {
        let number = rng.gen_range(1..2000_u64);
        for _ in 0..depth {
            varint(b, (number << 3) | 3);
        }
        for _ in 0..depth {
            varint(b, (number << 3) | 4);
        }
        return;
    }
    // A message-typed field, its bytes wrapped in itself `depth` times.
    let number = desc
        .fields()
        .find(|f| matches!(f.kind(), Kind::Message(_)))
        .map_or(1, |f| u64::from(f.number()));
    let mut inner = Vec::new();
    for _ in 0..depth.min(2_000) {
        let mut outer = Vec::new();
        varint(&mut outer, (number << 3) | 2);
        varint(&mut outer, inner.len() as u64);
        outer.extend(&inner);
        inner = outer;
    }
    b.extend(inner);
}

/// Appends a string field (a known one when the message has one) whose
/// bytes are not UTF-8: a lone continuation byte, an overlong encoding, a
/// surrogate, a truncated sequence.
fn bad_utf8(b: &mut Vec<u8>, desc: &MessageDescriptor, rng: &mut StdRng) {
    let strings: Vec<_> = desc
        .fields()
        .filter(|f| matches!(f.kind(), Kind::String))
        .collect();
    let number = if strings.is_empty() {
        1
    } else {
        u64::from(strings[rng.gen_range(0..strings.len())].number())
    };
    let bad: &[&[u8]] = &[
        b"\x80",
        b"\xc0\x80",
        b"\xed\xa0\x80",
        b"abc\xe2\x82",
        b"\xff\xfe",
        b"caf\xe9",
    ];
    let v = bad[rng.gen_range(0..bad.len())];
    varint(b, (number << 3) | 2);
    varint(b, v.len() as u64);
    b.extend(v);
}
