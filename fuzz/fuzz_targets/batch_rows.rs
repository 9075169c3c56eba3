//! The batch row reader (cli/src/batch/rows.rs, compiled into the target as it is) on any
//! bytes, plain lines or CSV: the rows cover the input exactly, every row is non-empty, a
//! buffer cut anywhere is cut at one of the rows' own boundaries (reading in chunks never
//! merges or splits rows differently), and every row's fields can be read.
#![no_main]

#[allow(dead_code)]
#[path = "../../cli/src/batch/rows.rs"]
mod rows;

use libfuzzer_sys::fuzz_target;
use rows::{strip_break, Fields, Mode, Splitter};

fuzz_target!(|data: &[u8]| {
    let [mode, cut, buf @ ..] = data else {
        return;
    };
    let mode = match mode % 4 {
        0 => Mode::Lines,
        1 => Mode::Csv(b','),
        2 => Mode::Csv(b'\t'),
        _ => Mode::Csv(b';'),
    };
    let mut splitter = Splitter::new(mode);
    let mut bounds = vec![0];
    splitter.each_row(buf, |start, end| {
        assert_eq!(start, *bounds.last().unwrap(), "rows are contiguous");
        assert!(end > start, "no empty row");
        bounds.push(end);
    });
    assert_eq!(
        *bounds.last().unwrap(),
        buf.len(),
        "the rows cover the input"
    );

    // The same input seen as a chunk that ends early.
    let k = usize::from(*cut) * buf.len() / 255;
    let c = Splitter::new(mode).last_cut(&buf[..k], 0, false);
    assert!(c <= k);
    assert!(
        bounds.contains(&c),
        "cut at {c} of {k}: not a row boundary {bounds:?}"
    );

    if let Mode::Csv(d) = mode {
        let mut fields = Fields::new(d);
        for w in bounds.windows(2) {
            let (row, _) = strip_break(&buf[w[0]..w[1]]);
            if row.contains(&b'"') {
                fields.read(row);
                assert!(fields.len() >= 1);
                for i in 0..fields.len() {
                    assert!(fields.get(i).is_some());
                }
                assert!(fields.get(fields.len()).is_none());
            }
        }
    }
});
