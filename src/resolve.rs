//! From a string to the web API's answer: status, number and region.

use core::fmt;

use chrono::NaiveDate;

use alloc::boxed::Box;

use crate::clock::Today;
use crate::document::{DocumentError, ForeignPermanentId};
use crate::error::ParseError;
use crate::extra::ExtraRegions;
use crate::id_number::IdNumber;
use crate::region::{Region, Source};

/// The web API's four statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// `ALREADY_ATT`: a valid number whose region code is known (current, renamed or
    /// abolished).
    AlreadyAtt,
    /// `WAIT_PROCESS`: no answer now, try later. Never produced offline; the remote
    /// fallback passes it on, or answers it when the web API is needed but unavailable.
    WaitProcess,
    /// `NOT_ATT`: a valid number whose 6-digit region code is unknown.
    NotAtt,
    /// `WRONG_IDCARD`: not a valid number.
    WrongIdcard,
}

impl Status {
    /// The wire name: `ALREADY_ATT`, `WAIT_PROCESS`, `NOT_ATT`, `WRONG_IDCARD`.
    ///
    /// ```
    /// assert_eq!(cnid::Status::NotAtt.as_str(), "NOT_ATT");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::AlreadyAtt => "ALREADY_ATT",
            Status::WaitProcess => "WAIT_PROCESS",
            Status::NotAtt => "NOT_ATT",
            Status::WrongIdcard => "WRONG_IDCARD",
        }
    }

    /// Parses a wire name.
    ///
    /// ```
    /// assert_eq!(cnid::Status::from_wire("NOT_ATT"), Some(cnid::Status::NotAtt));
    /// assert_eq!(cnid::Status::from_wire("not_att"), None);
    /// ```
    #[must_use]
    pub fn from_wire(s: &str) -> Option<Status> {
        Some(match s {
            "ALREADY_ATT" => Status::AlreadyAtt,
            "WAIT_PROCESS" => Status::WaitProcess,
            "NOT_ATT" => Status::NotAtt,
            "WRONG_IDCARD" => Status::WrongIdcard,
            _ => return None,
        })
    }

    /// The `msg` the web API sends with this status, if any.
    ///
    /// ```
    /// assert_eq!(cnid::Status::WrongIdcard.message(), Some("身份证号码不正确"));
    /// assert_eq!(cnid::Status::AlreadyAtt.message(), None);
    /// ```
    #[must_use]
    pub const fn message(self) -> Option<&'static str> {
        match self {
            Status::AlreadyAtt => None,
            Status::WaitProcess => Some("wait process"),
            Status::NotAtt => Some("暂无归属地信息"),
            Status::WrongIdcard => Some("身份证号码不正确"),
        }
    }

    /// Whether the number is valid (`ALREADY_ATT` or `NOT_ATT`).
    ///
    /// ```
    /// assert!(cnid::Status::NotAtt.is_valid());
    /// assert!(!cnid::Status::WaitProcess.is_valid());
    /// ```
    #[must_use]
    pub const fn is_valid(self) -> bool {
        matches!(self, Status::AlreadyAtt | Status::NotAtt)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The wire name (feature `serde`).
#[cfg(feature = "serde")]
impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// From the wire name (`ALREADY_ATT`, …), as in the web API's answers (feature `serde`).
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Status {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Status;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("ALREADY_ATT, WAIT_PROCESS, NOT_ATT or WRONG_IDCARD")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Status, E> {
                Status::from_wire(v).ok_or_else(|| {
                    E::unknown_variant(
                        v,
                        &["ALREADY_ATT", "WAIT_PROCESS", "NOT_ATT", "WRONG_IDCARD"],
                    )
                })
            }
        }
        d.deserialize_str(Visitor)
    }
}

/// The outcome of resolving one input: a status, and what was learned on the way.
///
/// Only the states a resolver produces can be built: `ALREADY_ATT` has a number and a
/// region, `NOT_ATT` a number, `WRONG_IDCARD` the reason ([`Resolution::wrong_idcard`]),
/// `WAIT_PROCESS` a number if one was parsed ([`Resolution::wait_process`]).
///
/// ```compile_fail
/// // No constructor takes a status and parts that could disagree (ALREADY_ATT, no region).
/// let r = cnid::Resolution::from_parts(cnid::Status::AlreadyAtt, None, None, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Resolution {
    status: Status,
    number: Option<IdNumber>,
    region: Option<Region>,
    why: Why,
    source: Source,
}

/// Why an input is wrong, or what else it is: one slot, so that the common answer stays
/// as small as it was before foreigners' IDs (56 bytes, returned through memory).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Why {
    None,
    Parse(ParseError),
    /// An input of foreigners' permanent residence ID form: the resident ID's reason and
    /// that document's parse (boxed: rare).
    Foreign(Box<(ParseError, Result<ForeignPermanentId, DocumentError>)>),
}

impl Resolution {
    /// `ALREADY_ATT`: a valid number and its region (the region's own source).
    pub(crate) fn already_att(number: IdNumber, region: Region) -> Resolution {
        Resolution {
            status: Status::AlreadyAtt,
            number: Some(number),
            source: region.source(),
            region: Some(region),
            why: Why::None,
        }
    }

    /// `NOT_ATT`: a valid number whose region code is unknown.
    pub(crate) fn not_att(number: IdNumber) -> Resolution {
        Resolution {
            status: Status::NotAtt,
            number: Some(number),
            region: None,
            why: Why::None,
            source: Source::Table,
        }
    }

    /// `WRONG_IDCARD`, and why: for a front that rejects an input before parsing it (a row
    /// that is not text, say).
    ///
    /// ```
    /// let r = cnid::Resolution::wrong_idcard(cnid::ParseError::Empty);
    /// assert_eq!(r.status(), cnid::Status::WrongIdcard);
    /// assert_eq!(r.error(), Some(&cnid::ParseError::Empty));
    /// ```
    pub fn wrong_idcard(error: ParseError) -> Resolution {
        Resolution {
            status: Status::WrongIdcard,
            number: None,
            region: None,
            why: Why::Parse(error),
            source: Source::Table,
        }
    }

    /// `WAIT_PROCESS` ("try later"), with the number if it parsed: what the remote
    /// fallback answers when the web API is needed but unavailable, or what a server
    /// answers when it sheds load.
    ///
    /// ```
    /// let r = cnid::Resolution::wait_process(None);
    /// assert_eq!(r.status(), cnid::Status::WaitProcess);
    /// assert!(r.number().is_none() && r.region().is_none() && r.error().is_none());
    /// ```
    pub fn wait_process(number: Option<IdNumber>) -> Resolution {
        Resolution {
            status: Status::WaitProcess,
            number,
            region: None,
            why: Why::None,
            source: Source::Table,
        }
    }

    /// The same answer, marked as coming from `source` (the remote fallback's cache).
    #[cfg_attr(not(feature = "remote"), allow(dead_code))]
    pub(crate) fn with_source(mut self, source: Source) -> Resolution {
        self.source = source;
        self
    }

    /// Where the answer came from: the built-in table (also for `WRONG_IDCARD`, which
    /// needs no data), the web API, or the cache of its earlier answers.
    ///
    /// ```
    /// assert_eq!(cnid::resolve("110101199001011114").source(), cnid::Source::Table);
    /// ```
    #[must_use]
    #[inline]
    pub fn source(&self) -> Source {
        self.source
    }

    /// The web API's status.
    ///
    /// ```
    /// assert_eq!(cnid::resolve("110101199001011114").status(), cnid::Status::AlreadyAtt);
    /// ```
    #[must_use]
    #[inline]
    pub fn status(&self) -> Status {
        self.status
    }

    /// The parsed number, for `ALREADY_ATT` and `NOT_ATT`.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// assert_eq!(r.number().unwrap().birth_ymd(), (1990, 1, 1));
    /// ```
    #[must_use]
    #[inline]
    pub fn number(&self) -> Option<&IdNumber> {
        self.number.as_ref()
    }

    /// The region, for `ALREADY_ATT`.
    ///
    /// ```
    /// let r = cnid::resolve("110101199001011114");
    /// assert_eq!(r.region().unwrap().name(), "东城区");
    /// ```
    #[must_use]
    #[inline]
    pub fn region(&self) -> Option<&Region> {
        self.region.as_ref()
    }

    /// For `NOT_ATT`, the prefecture or province that the unknown code falls in, if the
    /// table knows it (see [`Region::lookup_nearest`]); computed on demand.
    ///
    /// ```
    /// let b: &[u8; 17] = b"43041919900101111";
    /// let n = format!("43041919900101111{}", cnid::check_character(b).unwrap());
    /// let r = cnid::resolve(&n);
    /// assert_eq!(r.status(), cnid::Status::NotAtt);
    /// assert_eq!(r.region_hint().unwrap().att(), "湖南省 衡阳市 ");
    /// ```
    #[must_use]
    pub fn region_hint(&self) -> Option<Region> {
        match (self.status, &self.number) {
            (Status::NotAtt, Some(n)) => Region::lookup_nearest(n.region_code()),
            _ => None,
        }
    }

    /// Why the number is wrong, for `WRONG_IDCARD`.
    ///
    /// ```
    /// let r = cnid::resolve("11010119900101111");
    /// assert_eq!(r.error(), Some(&cnid::ParseError::Length(17)));
    /// ```
    #[must_use]
    #[inline]
    pub fn error(&self) -> Option<&ParseError> {
        match &self.why {
            Why::Parse(e) => Some(e),
            Why::Foreign(f) if self.status == Status::WrongIdcard => Some(&f.0),
            _ => None,
        }
    }

    /// The foreigners' permanent residence ID (外国人永久居留身份证) the input was, for
    /// `ALREADY_ATT`: its issuing province is [`Resolution::region`]. [`Resolution::number`]
    /// is `None` for these.
    ///
    /// ```
    /// let r = cnid::resolve("911840198001011112");
    /// assert_eq!(r.status(), cnid::Status::AlreadyAtt);
    /// assert_eq!(r.foreign_permanent().unwrap().nationality().alpha3(), "USA");
    /// assert_eq!(r.region().unwrap().name(), "北京市");
    /// ```
    #[must_use]
    pub fn foreign_permanent(&self) -> Option<&ForeignPermanentId> {
        match &self.why {
            Why::Foreign(f) => f.1.as_ref().ok(),
            _ => None,
        }
    }

    /// Why an input of foreigners' permanent residence ID form (`9` and 17 more
    /// characters, or three letters and 12 digits) is wrong, for `WRONG_IDCARD`; then
    /// [`Resolution::error`] is the resident ID's reason, which would mislead.
    #[must_use]
    pub fn document_error(&self) -> Option<&DocumentError> {
        match &self.why {
            Why::Foreign(f) => f.1.as_ref().err(),
            _ => None,
        }
    }
}

/// cnid's own answer as a struct (feature `serde`): status, number, first_generation,
/// birth_date, sex, region, region_hint, error, source.
#[cfg(feature = "serde")]
impl serde::Serialize for Resolution {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Resolution", 9)?;
        st.serialize_field("status", &self.status)?;
        let n = self.number.as_ref();
        st.serialize_field("number", &n)?;
        st.serialize_field("first_generation", &n.map(IdNumber::is_first_generation))?;
        let f = self.foreign_permanent();
        let birth = n
            .map(IdNumber::birth_date)
            .or(f.map(ForeignPermanentId::birth_date));
        st.serialize_field(
            "birth_date",
            &birth.map(|d| alloc::string::ToString::to_string(&d)),
        )?;
        st.serialize_field(
            "sex",
            &n.map(IdNumber::sex).or(f.map(ForeignPermanentId::sex)),
        )?;
        st.serialize_field("region", &self.region)?;
        st.serialize_field("region_hint", &self.region_hint())?;
        let error = match self.document_error() {
            Some(e) => Some(alloc::string::ToString::to_string(e)),
            None => self.error().map(alloc::string::ToString::to_string),
        };
        st.serialize_field("error", &error)?;
        st.serialize_field("source", &self.source)?;
        match f {
            Some(f) => st.serialize_field("foreign_permanent_residence", f)?,
            None => st.skip_field("foreign_permanent_residence")?,
        }
        st.end()
    }
}

/// Resolves ID numbers against the built-in table, with a settable "today".
///
/// ```
/// use chrono::NaiveDate;
/// let resolver = cnid::Resolver::new().with_today(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
/// let r = resolver.resolve("110101199001011114");
/// assert_eq!(r.status(), cnid::Status::AlreadyAtt);
/// assert_eq!(r.region().unwrap().att(), "北京市 东城区 ");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolver {
    today: Today,
    /// The fixed "today" as given (`today` holds it packed and clamped to 9999-12-31).
    date: Option<NaiveDate>,
    extra: Option<&'static ExtraRegions>,
}

/// [`Resolver::new`] (feature `std`).
#[cfg(feature = "std")]
impl Default for Resolver {
    fn default() -> Self {
        Self::new()
    }
}

impl Resolver {
    /// A resolver that takes "today" from the system clock (the date in China; feature
    /// `std`).
    ///
    /// ```
    /// let resolver = cnid::Resolver::new();
    /// assert_eq!(resolver.today(), None);
    /// assert!(resolver.resolve("110101199001011114").status().is_valid());
    /// ```
    #[cfg(feature = "std")]
    #[must_use]
    pub const fn new() -> Resolver {
        Resolver {
            today: Today::System,
            date: None,
            extra: None,
        }
    }

    /// A resolver with a fixed "today", the latest allowed birth date: the only kind
    /// without the `std` feature (no clock), and the reproducible kind with it.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let resolver = cnid::Resolver::as_of(NaiveDate::from_ymd_opt(1989, 12, 31).unwrap());
    /// let r = resolver.resolve("110101199001011114");
    /// assert_eq!(r.error(), Some(&cnid::ParseError::DateInFuture));
    /// ```
    #[must_use]
    pub fn as_of(today: NaiveDate) -> Resolver {
        Resolver {
            today: Today::fixed(today),
            date: Some(today),
            extra: None,
        }
    }

    /// Sets "today", the latest allowed birth date, for reproducible results.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    /// assert_eq!(cnid::Resolver::new().with_today(today).today(), Some(today));
    /// ```
    #[must_use]
    pub fn with_today(self, today: NaiveDate) -> Resolver {
        Resolver {
            extra: self.extra,
            ..Resolver::as_of(today)
        }
    }

    /// Answers codes of `extra` from it (added or overriding the built-in table, whose
    /// answers stay as they are for every other code); see [`ExtraRegions`]. Taken as
    /// `&'static` so that the resolver stays `Copy` and free to share across threads:
    /// load the file once at start-up and leak it (`Box::leak`) or keep it in a `static`.
    #[must_use]
    pub fn with_extra_regions(mut self, extra: &'static ExtraRegions) -> Resolver {
        self.extra = Some(extra);
        self
    }

    /// The fixed "today", if one was set, as it was given (also after year 9999).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let far = NaiveDate::from_ymd_opt(12_000, 6, 15).unwrap();
    /// assert_eq!(cnid::Resolver::as_of(far).today(), Some(far));
    /// ```
    #[must_use]
    pub fn today(&self) -> Option<NaiveDate> {
        self.date
    }

    /// Parses a number (no region lookup).
    ///
    /// # Errors
    /// As [`IdNumber::parse_as_of`].
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let resolver = cnid::Resolver::as_of(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    /// assert_eq!(resolver.parse("110101199001011114")?.region_code(), 110101);
    /// # Ok::<(), cnid::ParseError>(())
    /// ```
    pub fn parse(&self, input: &str) -> Result<IdNumber, ParseError> {
        IdNumber::parse_with(input, self.today)
    }

    /// Resolves one input: never panics, never does I/O.
    ///
    /// Always inlined: the fast path is a few dozen instructions and the rest is out of
    /// line; called out of line it returned the answer through memory and took 30 % longer
    /// in a loop over a million numbers.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// let resolver = cnid::Resolver::as_of(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    /// assert_eq!(resolver.resolve("110101199001011114").status(), cnid::Status::AlreadyAtt);
    /// ```
    #[inline(always)]
    pub fn resolve(&self, input: &str) -> Resolution {
        match IdNumber::parse_with_region(input, self.today) {
            Ok((number, (prefix, last))) => match self.extra {
                None => resolve_parts(number, prefix, last),
                Some(extra) => resolve_extra(extra, number, prefix, last),
            },
            // One byte tells a wrong resident number (the common wrong input) from what
            // may be a foreigners' permanent residence ID, so the former pays nothing more.
            Err(error) if !crate::document::may_be_foreign(input) => {
                Resolution::wrong_idcard(error)
            }
            Err(error) => self.wrong_or_foreign(input, error),
        }
    }

    /// `WRONG_IDCARD`, unless the input is a foreigners' permanent residence ID number:
    /// that is `ALREADY_ATT` with its birth date, sex and issuing province as the region.
    #[cold]
    #[inline(never)]
    fn wrong_or_foreign(&self, input: &str, error: ParseError) -> Resolution {
        let mut r = Resolution::wrong_idcard(error);
        if crate::document::looks_foreign(input) {
            let parsed = ForeignPermanentId::parse_with(input, self.today);
            if let Ok(f) = &parsed {
                r.status = Status::AlreadyAtt;
                r.region = f.issuing_region();
            }
            r.why = Why::Foreign(Box::new((error, parsed)));
        }
        r
    }
}

/// The answer with extra region codes: theirs first, then the table's.
#[inline(never)]
fn resolve_extra(extra: &ExtraRegions, number: IdNumber, prefix: u16, last: u8) -> Resolution {
    match extra.get(u32::from(prefix) * 100 + u32::from(last)) {
        Some(region) => Resolution::already_att(number, region.clone()),
        None => resolve_parts(number, prefix, last),
    }
}

/// The table's answer for a parsed number whose region code is split as by
/// `IdNumber::region_parts`.
#[inline]
fn resolve_parts(number: IdNumber, prefix: u16, last: u8) -> Resolution {
    match Region::lookup_parts(prefix, last) {
        Some(region) => Resolution::already_att(number, region),
        None => Resolution::not_att(number),
    }
}

/// Resolves one input with the built-in table and the system date.
///
/// ```
/// let r = cnid::resolve("110101199001011114");
/// assert_eq!(r.status(), cnid::Status::AlreadyAtt);
/// assert_eq!(r.number().unwrap().sex(), cnid::Sex::Male);
/// assert_eq!(cnid::resolve("110101199001011112").status(), cnid::Status::WrongIdcard);
/// ```
#[cfg(feature = "std")]
#[inline]
pub fn resolve(input: &str) -> Resolution {
    Resolver::new().resolve(input)
}
