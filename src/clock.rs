//! "Today": the latest birth date a number may carry.

#[cfg(feature = "std")]
use core::sync::atomic::{AtomicU32, Ordering};

use chrono::{Datelike, NaiveDate};

/// Days from 0001-01-01 (CE day 1) to 1970-01-01.
#[cfg(feature = "std")]
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The latest date a number can write (9999-12-31), packed.
const LATEST: u32 = 99_991_231;

/// The latest "today" seen so far, packed as `yyyymmdd`. Dates only move forward, so a
/// birth date on or before it is never in the future and needs no clock read: the clock is
/// read only when a birth date is later than the cached day.
#[cfg(feature = "std")]
static CACHED_TODAY: AtomicU32 = AtomicU32::new(0);

/// A date packed as the number `yyyymmdd`, which orders like the date. Whole dates are
/// clamped, not years: a date after 9999-12-31 (which no number can write) packs as
/// 9999-12-31, a date before year 0 as 0, so the order stays true.
#[inline]
pub(crate) fn pack(date: NaiveDate) -> u32 {
    match date.year() {
        y if y > 9999 => LATEST,
        y if y < 0 => 0,
        y => y as u32 * 10_000 + date.month() * 100 + date.day(),
    }
}

/// Where "today" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Today {
    /// The system clock, as the date in China (UTC+8).
    #[cfg(feature = "std")]
    System,
    /// A fixed date, packed as `yyyymmdd`, for reproducible results.
    Fixed(u32),
}

impl Today {
    /// A fixed "today".
    pub(crate) fn fixed(date: NaiveDate) -> Today {
        Today::Fixed(pack(date))
    }

    /// Whether the packed date `yyyymmdd` is not after today.
    #[inline]
    pub(crate) fn allows(self, yyyymmdd: u32) -> bool {
        match self {
            Today::Fixed(today) => yyyymmdd <= today,
            #[cfg(feature = "std")]
            Today::System => yyyymmdd <= CACHED_TODAY.load(Ordering::Relaxed) || refresh(yyyymmdd),
        }
    }

    /// The latest birth date (packed) known to be allowed without reading the clock: the
    /// fixed date, or the cached day of the system clock (0 before the first read). A date
    /// after it may still be allowed: [`Today::allows`] decides.
    #[inline]
    pub(crate) fn known_limit(self) -> u32 {
        match self {
            Today::Fixed(today) => today,
            #[cfg(feature = "std")]
            Today::System => CACHED_TODAY.load(Ordering::Relaxed),
        }
    }
}

/// Reads the clock (once a day at most, in practice): out of line, so the hot path keeps
/// no registers for it.
#[cfg(feature = "std")]
#[cold]
#[inline(never)]
fn refresh(yyyymmdd: u32) -> bool {
    let now = pack(china_today());
    CACHED_TODAY.fetch_max(now, Ordering::Relaxed);
    yyyymmdd <= now
}

/// Today's date in China (UTC+8, no daylight saving) from the system clock; on a target
/// without one, [`NaiveDate::MAX`] (see [`unix_seconds`]).
#[cfg(feature = "std")]
pub(crate) fn china_today() -> NaiveDate {
    let Some(secs) = unix_seconds() else {
        return NaiveDate::MAX;
    };
    let days = (secs + 8 * 3600) / 86_400;
    let days = i32::try_from(days).unwrap_or(i32::MAX - UNIX_EPOCH_DAYS_FROM_CE);
    NaiveDate::from_num_days_from_ce_opt(UNIX_EPOCH_DAYS_FROM_CE + days).unwrap_or(NaiveDate::MAX)
}

/// Seconds since the Unix epoch from the system clock.
#[cfg(all(
    feature = "std",
    not(all(target_family = "wasm", target_os = "unknown"))
))]
fn unix_seconds() -> Option<u64> {
    use std::time::{SystemTime, UNIX_EPOCH};
    Some(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    )
}

/// WebAssembly without WASI (a browser) has no system clock: the standard library's
/// `SystemTime::now` panics there. No date is then "in the future"; callers set "today"
/// from the host (`Resolver::with_today`, `IdNumber::parse_as_of`).
#[cfg(all(feature = "std", target_family = "wasm", target_os = "unknown"))]
fn unix_seconds() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "std")]
    #[test]
    fn epoch_offset_is_right() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(epoch.num_days_from_ce(), UNIX_EPOCH_DAYS_FROM_CE);
    }

    #[cfg(feature = "std")]
    #[test]
    fn system_today_is_plausible() {
        let today = china_today();
        assert!(today.year() >= 2024, "{today}");
        assert!(Today::System.allows(pack(today)));
        assert!(!Today::System.allows(pack(today.succ_opt().unwrap())));
        assert!(Today::fixed(today).allows(pack(today)));
        assert!(!Today::fixed(today).allows(pack(today) + 1));
    }

    /// A "today" after year 9999 allows every date a number can write (it used to clamp
    /// the year alone: 12000-06-15 packed as 9999-06-15 and rejected 9999-12-31).
    #[test]
    fn pack_clamps_whole_dates() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(pack(d(12_000, 6, 15)), LATEST);
        assert_eq!(pack(d(10_000, 1, 1)), LATEST);
        assert_eq!(pack(NaiveDate::MAX), LATEST);
        assert_eq!(pack(d(9999, 12, 31)), LATEST);
        assert_eq!(pack(d(9999, 6, 15)), 99_990_615);
        assert_eq!(pack(d(-1, 12, 31)), 0);
        assert_eq!(pack(NaiveDate::MIN), 0);
        assert!(Today::fixed(d(12_000, 6, 15)).allows(99_991_231));
    }
}
