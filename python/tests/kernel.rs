//! The Arrow kernel from Rust: every row of a mixed string array gets the fields that
//! `wire::Fields` (the CLI's and the web API's answer) gives for the same input, in
//! every string layout and with or without dictionaries; nulls stay null.
//!
//! The kernel is compiled in here from its source: the extension itself is a cdylib
//! whose Python symbols only exist inside an interpreter.

#[path = "../src/kernel.rs"]
mod kernel;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int8Type, UInt32Type, UInt8Type};
use arrow_array::{Array, ArrayRef, LargeStringArray, NullArray, StringArray, StringViewArray};
use arrow_schema::DataType;
use chrono::NaiveDate;
use cnid::wire::Fields;
use cnid::Resolver;

fn resolver() -> Resolver {
    Resolver::new().with_today(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap())
}

fn complete(body: &str) -> String {
    let c = cnid::check_character(body.as_bytes().try_into().unwrap()).unwrap();
    format!("{body}{c}")
}

/// Valid, wrong check character, wrong date, unknown province, unknown region (NOT_ATT),
/// 15 digits, full-width, white space around, empty, null.
fn mixed() -> Vec<Option<String>> {
    let valid = complete("11010119900101111");
    let mut inputs = vec![
        Some(valid.clone()),
        Some(format!("{}2", &valid[..17])),
        Some(complete("11010119900230111")),
        Some(complete("99010119900101111")),
        Some(complete("43041919900101111")),
        Some("110101900101111".to_owned()),
        Some("１１０１０１１９９００１０１１１１４".to_owned()),
        Some(format!("\u{feff} {valid}\t")),
        Some(String::new()),
        None,
        Some(complete("51292819900101111")),
        Some("11010519491231002x".to_owned()),
    ];
    // Past one block of the bulk kernel, and across the threads' slices.
    let again = inputs.clone();
    for _ in 0..12 {
        inputs.extend(again.iter().cloned());
    }
    inputs
}

/// The string of field `name` of the struct at `row`, whatever its encoding; `None` for
/// null.
fn field(array: &ArrayRef, name: &str, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    let text = |values: &ArrayRef, i: usize| values.as_string::<i32>().value(i).to_owned();
    Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row).to_owned(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_owned(),
        DataType::Utf8View => array.as_string_view().value(row).to_owned(),
        // Plain keys into the field's values.
        DataType::UInt8 | DataType::UInt32 => {
            let key = match array.data_type() {
                DataType::UInt8 => array.as_primitive::<UInt8Type>().value(row) as usize,
                _ => array.as_primitive::<UInt32Type>().value(row) as usize,
            };
            text(&kernel::values(name).unwrap(), key)
        }
        DataType::Dictionary(key, _) if **key == DataType::Int8 => {
            let d = array.as_dictionary::<Int8Type>();
            text(d.values(), d.keys().value(row) as usize)
        }
        _ => {
            let d = array.as_dictionary::<Int32Type>();
            text(d.values(), d.keys().value(row) as usize)
        }
    })
}

/// Every way of resolving `input` (one array; with dictionaries, also as plain keys)
/// answers each row of `strings` as `wire::Fields` does.
fn check(input: &dyn Array, strings: &[Option<String>], dictionary: bool, threads: usize) {
    let options = kernel::Options {
        dictionary,
        keys: false,
    };
    let keys = kernel::Options {
        dictionary,
        keys: true,
    };
    let mut answers = vec![options];
    if dictionary {
        answers.push(keys);
    }
    for options in answers {
        let answer = kernel::resolve(input, &resolver(), options, threads).unwrap();
        assert_eq!(
            answer.data_type(),
            &kernel::data_type(options, input.data_type()).unwrap()
        );
        assert_eq!(answer.len(), strings.len());
        for (row, input) in strings.iter().enumerate() {
            let got: Vec<Option<String>> = answer
                .columns()
                .iter()
                .zip(kernel::FIELDS)
                .map(|(c, name)| field(c, name, row))
                .collect();
            match input {
                None => {
                    assert!(answer.is_null(row), "row {row}");
                    assert!(got.iter().all(Option::is_none), "row {row}: {got:?}");
                }
                Some(s) => {
                    let r = resolver().resolve(s);
                    let f = Fields::new(&r, s);
                    let mut want: Vec<Option<String>> =
                        f.pairs().map(|(_, v)| Some(v.to_owned())).collect();
                    if f.msg().is_none() {
                        want.push(None);
                    }
                    assert!(answer.is_valid(row));
                    assert_eq!(got, want, "row {row}: {}", cnid::mask(s));
                }
            }
        }
    }

    let statuses = kernel::statuses(input, &resolver(), options).unwrap();
    for (i, s) in strings.iter().enumerate() {
        let want = s
            .as_ref()
            .map(|s| resolver().resolve(s).status().as_str().to_owned());
        assert_eq!(field(&statuses, "status", i), want, "status of row {i}");
    }
}

#[test]
fn every_layout_answers_like_the_wire_fields() {
    let strings = mixed();
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(strings.clone())),
        Arc::new(LargeStringArray::from(strings.clone())),
        Arc::new(StringViewArray::from(strings.clone())),
    ];
    for array in &arrays {
        for dictionary in [true, false] {
            for threads in [1, 2, 3] {
                check(array.as_ref(), &strings, dictionary, threads);
            }
        }
    }
    // Many chunks on several threads, joined in order.
    let many: Vec<Option<String>> = strings.iter().cycle().take(40_000).cloned().collect();
    check(&StringArray::from(many.clone()), &many, true, 3);
    // A slice (an offset into the buffers, as Arrow hands out) answers for its own rows.
    let sliced = arrays[0].slice(5, 30);
    check(sliced.as_ref(), &strings[5..35], true, 2);
}

#[test]
fn an_all_null_array_stays_null() {
    let strings = vec![None; 5];
    check(&NullArray::new(5), &strings, true, 1);
}

#[test]
fn a_non_string_array_is_refused() {
    let ints = arrow_array::Int32Array::from(vec![1, 2]);
    let err = kernel::resolve(
        &ints,
        &resolver(),
        kernel::Options {
            dictionary: true,
            keys: false,
        },
        1,
    )
    .unwrap_err();
    assert!(err.contains("expected an array of strings"), "{err}");
}

#[test]
fn plain_input_is_the_idcard_column_itself_in_its_layout() {
    let strings: Vec<Option<String>> = (0..100)
        .map(|i| (i % 7 != 3).then(|| complete(&format!("110101199001{:02}111", i % 28 + 1))))
        .collect();
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(strings.clone())),
        Arc::new(LargeStringArray::from(strings.clone())),
        Arc::new(StringViewArray::from(strings.clone())),
    ];
    for array in &arrays {
        let out = kernel::resolve(
            array.as_ref(),
            &resolver(),
            kernel::Options {
                dictionary: true,
                keys: false,
            },
            2,
        )
        .unwrap();
        let idcard = out.column_by_name("idcard").unwrap();
        assert_eq!(idcard.data_type(), array.data_type());
        // The same buffers: nothing copied.
        let (ours, theirs) = (idcard.to_data(), array.to_data());
        for (a, b) in ours.buffers().iter().zip(theirs.buffers()) {
            assert_eq!(a.as_ptr(), b.as_ptr());
        }
        check(array.as_ref(), &strings, true, 2);
    }
}

#[test]
fn the_born_dictionary_holds_just_the_dates_that_occur() {
    let strings: Vec<Option<String>> = ["11010119900101111", "11010119900102111"]
        .iter()
        .cycle()
        .take(50_000)
        .map(|b| Some(complete(b)))
        .chain([Some("wrong".to_owned()), None])
        .collect();
    let input = StringArray::from(strings.clone());
    for threads in [1, 3] {
        let out = kernel::resolve(
            &input,
            &resolver(),
            kernel::Options {
                dictionary: true,
                keys: false,
            },
            threads,
        )
        .unwrap();
        let born = out
            .column_by_name("born")
            .unwrap()
            .as_dictionary::<Int32Type>();
        let dates: Vec<&str> = born.values().as_string::<i32>().iter().flatten().collect();
        assert_eq!(dates, ["", "1990年01月01日", "1990年01月02日"]);
    }
    check(&input, &strings, true, 3);
}

#[test]
fn status_views_hold_each_status_inline() {
    let strings = mixed();
    for array in [
        Arc::new(StringArray::from(strings.clone())) as ArrayRef,
        Arc::new(StringViewArray::from(strings.clone())),
    ] {
        let views = kernel::status_views(array.as_ref(), &resolver()).unwrap();
        let views = views.as_string_view();
        // No data buffer: every status fits a view.
        assert!(views.data_buffers().is_empty());
        for (row, input) in strings.iter().enumerate() {
            let want = input.as_ref().map(|s| {
                let r = resolver().resolve(s);
                Fields::new(&r, s).status().as_str().to_owned()
            });
            let got = (!views.is_null(row)).then(|| views.value(row).to_owned());
            assert_eq!(got, want, "row {row}: {input:?}");
        }
    }
}
