//! Region lookups on any code: no panic, and the answers agree with each other and with
//! the table's own listing.
#![no_main]

use cnid::Region;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut b = [0u8; 4];
    let n = data.len().min(4);
    b[..n].copy_from_slice(&data[..n]);
    // Half the inputs within the 6-digit range, where the table is.
    let raw = u32::from_le_bytes(b);
    let code = if data.len() > 4 { raw % 1_000_000 } else { raw };
    let found = Region::lookup(code);
    if code >= 1_000_000 {
        assert!(found.is_none());
    }
    if let Some(r) = &found {
        assert_eq!(r.code(), code);
        assert!(!r.att().trim().is_empty());
        assert!(!r.names().is_empty());
        assert_eq!(r.latest().map(|s| s.name), Some(r.name()));
        assert_eq!(r.is_current(), r.latest().map(|s| s.last_year.is_none()));
        assert!(r.level().is_some());
        // Every span's years are in order.
        for span in r.names() {
            assert!(
                span.last_year.is_none_or(|l| l >= span.first_year),
                "{code:06}"
            );
        }
        let copy = Region::from_fields(code, r.to_fields(), cnid::Source::Remote);
        assert_eq!(copy.att(), r.att());
        assert_eq!(copy.name(), r.name());
    }
    let nearest = Region::lookup_nearest(code);
    match (&found, &nearest) {
        (Some(a), b) => assert_eq!(Some(a), b.as_ref()),
        (None, Some(n)) => {
            let c = n.code();
            assert!(
                c == code / 100 * 100 || c == code / 10_000 * 10_000,
                "{code} -> {c}"
            );
        }
        (None, None) => {
            assert!(Region::lookup(code / 10_000 * 10_000).is_none() || code >= 1_000_000);
        }
    }
    let _ = format!("{found:?}{}", serde_json::to_string(&nearest).unwrap());
});
