//! The GB/T 2260 region table, compiled from `data/regions.csv` by build.rs.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

mod table {
    #![allow(clippy::unreadable_literal)]
    use super::{Level, NameSpan, Record};
    include!(concat!(env!("OUT_DIR"), "/regions.rs"));
}

pub use table::{CODE_COUNT, DATA_VERSION};

/// Administrative level of a region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Level {
    /// 省级: province, autonomous region, municipality, SAR (`xx0000`).
    Province,
    /// 地级: prefecture-level city, 地区, 盟, 自治州, and grouping codes (`xxxx00`).
    Prefecture,
    /// 县级: county, district, county-level city, 旗 ….
    County,
}

/// One name a code carried, with the years it was in use and the province and prefecture
/// it belonged to at the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NameSpan {
    /// The name during this span.
    pub name: &'static str,
    /// First year in use under this name.
    pub first_year: u16,
    /// Last year in use under this name; `None` if in use now.
    pub last_year: Option<u16>,
    /// The province-level unit at the time.
    pub province: &'static str,
    /// The prefecture-level unit at the time; empty where there was none (municipality
    /// districts, units directly under a province, and province or prefecture codes).
    pub prefecture: &'static str,
}

/// A row of the compiled table, everything the answer needs precomputed.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) code: u32,
    pub(crate) level: Level,
    pub(crate) placeholder: bool,
    /// The latest name (the last span's), kept at hand for the hot path.
    pub(crate) name: &'static str,
    pub(crate) att: &'static str,
    pub(crate) postno: &'static str,
    pub(crate) areano: &'static str,
    pub(crate) style_simcall: &'static str,
    pub(crate) style_citynm: &'static str,
    pub(crate) province_short: &'static str,
    pub(crate) province_full: &'static str,
    pub(crate) city_short: &'static str,
    pub(crate) city_full: &'static str,
    /// The five region fields as JSON members, each after a comma: `,"att":"…",…`.
    pub(crate) json: &'static str,
    /// The five region fields as XML elements: `<att>…</att>…`.
    pub(crate) xml: &'static str,
    /// Chronological; never empty; the last one is the latest name.
    pub(crate) names: &'static [NameSpan],
}

/// The web API's `att`: province, prefecture and unit, empty and repeated slots dropped,
/// padded back to three slots joined by single spaces (`北京市 东城区 `), as build.rs
/// writes it for the table.
pub(crate) fn join_att(province: &str, prefecture: &str, name: &str) -> String {
    let mut slots: [&str; 3] = [""; 3];
    let mut n = 0;
    for part in [province, prefecture, name] {
        if !part.is_empty() && (n == 0 || slots[n - 1] != part) {
            slots[n] = part;
            n += 1;
        }
    }
    let mut att = String::with_capacity(slots.iter().map(|s| s.len() + 1).sum());
    for (i, slot) in slots.iter().enumerate() {
        if i > 0 {
            att.push(' ');
        }
        att.push_str(slot);
    }
    att
}

/// Where a region's answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Source {
    /// cnid's built-in table.
    Table,
    /// The web API, asked just now.
    Remote,
    /// An earlier web API answer, from the cache.
    Cache,
    /// A file of extra region codes given at run time ([`crate::ExtraRegions`]).
    Extra,
}

/// The web API's region fields for a code that the built-in table does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionFields {
    /// `att`: province, prefecture, county joined by single spaces.
    pub att: String,
    /// `postno`.
    pub postno: String,
    /// `areano`.
    pub areano: String,
    /// `style_simcall`.
    pub style_simcall: String,
    /// `style_citynm`.
    pub style_citynm: String,
}

#[derive(Clone)]
enum Repr {
    #[cfg_attr(not(feature = "wire-fragments"), allow(dead_code))]
    Table(&'static Record),
    /// A table record with its `att` built at lookup: builds without the `wire-fragments`
    /// feature (the web package) leave the 7,000 `att` strings out of the table. One thin
    /// pointer, so that `Region` stays two words for the hot path.
    #[cfg_attr(feature = "wire-fragments", allow(dead_code))]
    Built(Arc<(&'static Record, String)>),
    Remote(u32, Arc<RegionFields>, Source),
}

/// A region (归属地) with everything the web API answers about it, and its history.
///
/// Cheap to clone: a table region is a reference to static data.
#[derive(Clone)]
pub struct Region(Repr);

impl Region {
    /// Looks a 6-digit code up in the built-in table. No allocation, no start-up cost.
    ///
    /// ```
    /// let r = cnid::Region::lookup(512928).expect("in the table");
    /// assert_eq!(r.att(), "四川省 南充地区 武胜县");
    /// assert_eq!(r.is_current(), Some(false));
    /// ```
    #[must_use]
    #[inline]
    pub fn lookup(code: u32) -> Option<Region> {
        let prefix = u16::try_from(code / 100).ok()?;
        Self::lookup_parts(prefix, (code % 100) as u8)
    }

    /// Looks up the code `prefix * 100 + last` (`prefix` < 10000, `last` < 100).
    #[inline]
    pub(crate) fn lookup_parts(prefix: u16, last: u8) -> Option<Region> {
        Self::from_index(Self::index_of_parts(prefix, last)?)
    }

    /// The position in the table ([`Region::all`]'s order) of the code
    /// `prefix * 100 + last`, through the radix index.
    #[inline]
    pub(crate) fn index_of_parts(prefix: u16, last: u8) -> Option<usize> {
        let block = *table::BLOCKS.get(usize::from(prefix))?;
        if block == 0 || last >= 100 {
            return None;
        }
        let slot = table::SLOTS[(usize::from(block) - 1) * 100 + usize::from(last)];
        usize::from(slot).checked_sub(1)
    }

    /// The region at `index` in the table ([`Region::all`]'s order).
    #[inline]
    pub(crate) fn from_index(index: usize) -> Option<Region> {
        let (_, record) = table::TABLE.index(index)?;
        Some(Region::table(record))
    }

    /// The region of `code` if the table has it, else the prefecture (`xxxx00`) or
    /// province (`xx0000`) it falls in: a hint for numbers whose exact code was never
    /// published (some real cards carry such codes). The web API answers those `NOT_ATT`.
    ///
    /// ```
    /// assert!(cnid::Region::lookup(430_419).is_none());
    /// assert_eq!(cnid::Region::lookup_nearest(430_419).unwrap().name(), "衡阳市");
    /// ```
    #[must_use]
    pub fn lookup_nearest(code: u32) -> Option<Region> {
        Region::lookup(code)
            .or_else(|| Region::lookup(code / 100 * 100))
            .or_else(|| Region::lookup(code / 10_000 * 10_000))
    }

    /// The same lookup through the perfect-hash map alone (for the test that pins the
    /// radix index to the map).
    #[cfg(test)]
    fn lookup_by_hash(code: u32) -> Option<Region> {
        table::TABLE.get(&code).map(Region::table)
    }

    /// The region of a table record.
    #[cfg(feature = "wire-fragments")]
    #[inline(always)]
    fn table(record: &'static Record) -> Region {
        Region(Repr::Table(record))
    }

    /// The region of a table record. Without `wire-fragments` the table holds no `att`
    /// text: it is put together here from the latest name span, as build.rs does. (A
    /// separate body, not an `if cfg!`: the hot path's lookup must stay small to inline.)
    #[cfg(not(feature = "wire-fragments"))]
    fn table(record: &'static Record) -> Region {
        let att = match record.names.last() {
            Some(span) => join_att(span.province, span.prefecture, span.name),
            None => String::new(),
        };
        Region(Repr::Built(Arc::new((record, att))))
    }

    /// A region answered by the web API for a code the table lacks.
    ///
    /// ```
    /// use cnid::{Region, RegionFields, Source};
    /// let fields = RegionFields {
    ///     att: "测试省 测试市 新区".to_owned(),
    ///     postno: "100000".to_owned(),
    ///     areano: "010".to_owned(),
    ///     style_simcall: "中国,测试".to_owned(),
    ///     style_citynm: "中华人民共和国,测试省".to_owned(),
    /// };
    /// let r = Region::from_fields(990_101, fields, Source::Remote);
    /// assert_eq!((r.code(), r.name(), r.source()), (990_101, "新区", Source::Remote));
    /// ```
    #[must_use]
    pub fn from_fields(code: u32, fields: RegionFields, source: Source) -> Region {
        Region(Repr::Remote(code, Arc::new(fields), source))
    }

    /// All codes in the built-in table, ascending (the map keeps the data's order).
    ///
    /// ```
    /// assert_eq!(cnid::Region::all().count(), cnid::CODE_COUNT);
    /// ```
    pub fn all() -> impl Iterator<Item = Region> {
        table::TABLE.values().map(Region::table)
    }

    fn record(&self) -> Option<&'static Record> {
        match &self.0 {
            Repr::Table(r) => Some(r),
            Repr::Built(b) => Some(b.0),
            Repr::Remote(..) => None,
        }
    }

    /// The 6-digit code.
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(110101).unwrap().code(), 110101);
    /// ```
    #[must_use]
    pub fn code(&self) -> u32 {
        match &self.0 {
            Repr::Table(r) => r.code,
            Repr::Built(b) => b.0.code,
            Repr::Remote(code, ..) => *code,
        }
    }

    /// Where this answer came from.
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(110101).unwrap().source(), cnid::Source::Table);
    /// ```
    #[must_use]
    pub fn source(&self) -> Source {
        match &self.0 {
            Repr::Table(_) | Repr::Built(_) => Source::Table,
            Repr::Remote(_, _, source) => *source,
        }
    }

    /// The latest name of the code (for a remote answer: the last filled slot of `att`).
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(512928).unwrap().name(), "武胜县");
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        match &self.0 {
            Repr::Table(r) => r.name,
            Repr::Built(b) => b.0.name,
            Repr::Remote(_, f, _) => f.att.split(' ').rfind(|s| !s.is_empty()).unwrap_or(""),
        }
    }

    /// Every name the code carried, oldest first (empty for a remote answer).
    ///
    /// ```
    /// let r = cnid::Region::lookup(420600).unwrap();
    /// assert!(r.names().iter().any(|s| s.name == "襄樊市" && s.last_year.is_some()));
    /// ```
    #[must_use]
    pub fn names(&self) -> &[NameSpan] {
        self.record().map_or(&[], |r| r.names)
    }

    /// The latest name span (`None` for a remote answer).
    ///
    /// ```
    /// let r = cnid::Region::lookup(420600).unwrap();
    /// assert_eq!(r.latest().unwrap().name, "襄阳市");
    /// ```
    #[must_use]
    pub fn latest(&self) -> Option<&NameSpan> {
        self.names().last()
    }

    /// Whether the code is in use today (`None` if unknown, for a remote answer).
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(110101).unwrap().is_current(), Some(true));
    /// assert_eq!(cnid::Region::lookup(512928).unwrap().is_current(), Some(false));
    /// ```
    #[must_use]
    pub fn is_current(&self) -> Option<bool> {
        self.latest().map(|s| s.last_year.is_none())
    }

    /// The administrative level (`None` for a remote answer).
    ///
    /// ```
    /// use cnid::{Level, Region};
    /// assert_eq!(Region::lookup(110000).unwrap().level(), Some(Level::Province));
    /// assert_eq!(Region::lookup(440300).unwrap().level(), Some(Level::Prefecture));
    /// assert_eq!(Region::lookup(110101).unwrap().level(), Some(Level::County));
    /// ```
    #[must_use]
    pub fn level(&self) -> Option<Level> {
        self.record().map(|r| r.level)
    }

    /// Whether this is a grouping code such as `xxxx01 市辖区` rather than a real unit.
    /// Such codes do occur on real cards.
    ///
    /// ```
    /// assert!(!cnid::Region::lookup(110101).unwrap().is_placeholder());
    /// ```
    #[must_use]
    pub fn is_placeholder(&self) -> bool {
        self.record().is_some_and(|r| r.placeholder)
    }

    /// The web API's `att`: province, prefecture and county names of the code's era, three
    /// slots joined by single spaces (`北京市 东城区 `).
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(110101).unwrap().att(), "北京市 东城区 ");
    /// ```
    #[must_use]
    pub fn att(&self) -> &str {
        match &self.0 {
            Repr::Table(r) => r.att,
            Repr::Built(b) => &b.1,
            Repr::Remote(_, f, _) => &f.att,
        }
    }

    /// The web API's `postno`: the postal code of the prefecture (may be empty).
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(512928).unwrap().postno(), "637000");
    /// ```
    #[must_use]
    pub fn postno(&self) -> &str {
        match &self.0 {
            Repr::Table(r) => r.postno,
            Repr::Built(b) => b.0.postno,
            Repr::Remote(_, f, _) => &f.postno,
        }
    }

    /// The web API's `areano`: the telephone area code of the prefecture (may be empty).
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(110101).unwrap().areano(), "010");
    /// ```
    #[must_use]
    pub fn areano(&self) -> &str {
        match &self.0 {
            Repr::Table(r) => r.areano,
            Repr::Built(b) => b.0.areano,
            Repr::Remote(_, f, _) => &f.areano,
        }
    }

    /// The web API's `style_simcall`: `中国,四川,南充`.
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(512928).unwrap().style_simcall(), "中国,四川,南充");
    /// ```
    #[must_use]
    pub fn style_simcall(&self) -> &str {
        match &self.0 {
            Repr::Table(r) => r.style_simcall,
            Repr::Built(b) => b.0.style_simcall,
            Repr::Remote(_, f, _) => &f.style_simcall,
        }
    }

    /// The web API's `style_citynm`: `中华人民共和国,四川省,南充市`.
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(512928).unwrap().style_citynm(), "中华人民共和国,四川省,南充市");
    /// ```
    #[must_use]
    pub fn style_citynm(&self) -> &str {
        match &self.0 {
            Repr::Table(r) => r.style_citynm,
            Repr::Built(b) => b.0.style_citynm,
            Repr::Remote(_, f, _) => &f.style_citynm,
        }
    }

    /// Present-day province: short and full name (`("四川", "四川省")`); `None` for a
    /// remote answer.
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(512928).unwrap().province_now(), Some(("四川", "四川省")));
    /// ```
    #[must_use]
    pub fn province_now(&self) -> Option<(&'static str, &'static str)> {
        self.record().map(|r| (r.province_short, r.province_full))
    }

    /// Present-day prefecture-level city succeeding the code's era prefecture: short and
    /// full name (`("南充", "南充市")`); `None` for municipalities, provinces and remote
    /// answers.
    ///
    /// ```
    /// assert_eq!(cnid::Region::lookup(512928).unwrap().city_now(), Some(("南充", "南充市")));
    /// assert_eq!(cnid::Region::lookup(110101).unwrap().city_now(), None);
    /// ```
    #[must_use]
    pub fn city_now(&self) -> Option<(&'static str, &'static str)> {
        self.record()
            .filter(|r| !r.city_full.is_empty())
            .map(|r| (r.city_short, r.city_full))
    }

    /// The region fields precomputed as JSON members and XML elements (table regions).
    pub(crate) fn wire_fragments(&self) -> Option<(&'static str, &'static str)> {
        self.record()
            .filter(|r| !r.json.is_empty())
            .map(|r| (r.json, r.xml))
    }

    /// The answer's region fields, owned.
    ///
    /// ```
    /// let f = cnid::Region::lookup(110101).unwrap().to_fields();
    /// assert_eq!((f.att.as_str(), f.postno.as_str()), ("北京市 东城区 ", "100000"));
    /// ```
    #[must_use]
    pub fn to_fields(&self) -> RegionFields {
        RegionFields {
            att: self.att().to_owned(),
            postno: self.postno().to_owned(),
            areano: self.areano().to_owned(),
            style_simcall: self.style_simcall().to_owned(),
            style_citynm: self.style_citynm().to_owned(),
        }
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Region")
            .field("code", &self.code())
            .field("att", &self.att())
            .field("source", &self.source())
            .finish()
    }
}

impl PartialEq for Region {
    fn eq(&self, other: &Self) -> bool {
        self.code() == other.code()
            && self.source() == other.source()
            && self.att() == other.att()
            && self.postno() == other.postno()
            && self.areano() == other.areano()
            && self.style_simcall() == other.style_simcall()
            && self.style_citynm() == other.style_citynm()
    }
}

impl Eq for Region {}

/// Code, name, current, level, placeholder, source, the five web-API fields and the names
/// with their years (feature `serde`).
#[cfg(feature = "serde")]
impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Region", 12)?;
        st.serialize_field("code", &alloc::format!("{:06}", self.code()))?;
        st.serialize_field("name", self.name())?;
        st.serialize_field("current", &self.is_current())?;
        st.serialize_field("level", &self.level())?;
        st.serialize_field("placeholder", &self.is_placeholder())?;
        st.serialize_field("source", &self.source())?;
        st.serialize_field("att", self.att())?;
        st.serialize_field("postno", self.postno())?;
        st.serialize_field("areano", self.areano())?;
        st.serialize_field("style_simcall", self.style_simcall())?;
        st.serialize_field("style_citynm", self.style_citynm())?;
        st.serialize_field("names", self.names())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The radix index (`lookup`) and the perfect-hash map agree on every code of the table
    /// and on codes around them that are not in it.
    #[test]
    fn radix_index_agrees_with_the_map() {
        let mut seen = 0;
        for region in Region::all() {
            let code = region.code();
            assert_eq!(
                Region::lookup(code),
                Region::lookup_by_hash(code),
                "{code:06}"
            );
            seen += 1;
        }
        assert_eq!(seen, CODE_COUNT);
        for code in (0..1_000_000)
            .step_by(7)
            .chain([999_999, 1_000_000, u32::MAX])
        {
            assert_eq!(Region::lookup(code), Region::lookup_by_hash(code), "{code}");
        }
    }

    /// The `att` a build without `wire-fragments` puts together at lookup is the one
    /// build.rs writes, for every code.
    #[cfg(feature = "wire-fragments")]
    #[test]
    fn att_put_together_at_lookup_is_the_built_one() {
        for record in table::TABLE.values() {
            let span = record.names.last().unwrap();
            assert_eq!(
                join_att(span.province, span.prefecture, span.name),
                record.att,
                "{:06}",
                record.code
            );
        }
    }
}
