//! A few exports over cnid for `check.js`: the caller writes a number into `input()` and
//! asks for its status. Raw memory is the only way across this boundary without
//! wasm-bindgen, hence the `unsafe` (test harness only; the library forbids it).

use std::ptr::addr_of_mut;

static mut INPUT: [u8; 64] = [0; 64];

/// Where the caller writes the number (at most 64 bytes).
#[no_mangle]
pub extern "C" fn input() -> *mut u8 {
    addr_of_mut!(INPUT).cast()
}

fn text(len: usize) -> String {
    // SAFETY: single-threaded wasm; the caller wrote `len` bytes before calling.
    let all: &[u8; 64] = unsafe { &*addr_of_mut!(INPUT) };
    let bytes = &all[..len.min(64)];
    String::from_utf8_lossy(bytes).into_owned()
}

/// `cnid::resolve` (system "today"): 0 ALREADY_ATT, 1 WAIT_PROCESS, 2 NOT_ATT, 3 WRONG_IDCARD.
#[no_mangle]
pub extern "C" fn status(len: usize) -> u32 {
    cnid::resolve(&text(len)).status() as u32
}

/// The same with "today" set by the caller, as a browser app would from `new Date()`.
#[no_mangle]
pub extern "C" fn status_on(len: usize, year: i32, month: u32, day: u32) -> u32 {
    match chrono::NaiveDate::from_ymd_opt(year, month, day) {
        Some(today) => cnid::Resolver::new()
            .with_today(today)
            .resolve(&text(len))
            .status() as u32,
        None => u32::MAX,
    }
}

/// `IdNumber::age()`, or -1 for `None` (no clock in a browser) or a number that is wrong.
#[no_mangle]
pub extern "C" fn age(len: usize) -> i64 {
    match cnid::IdNumber::parse(&text(len)) {
        Ok(id) => id.age().map_or(-1, i64::from),
        Err(_) => -1,
    }
}
