//! Age, 生肖 and 星座 from a birth date.

use core::fmt;

use chrono::{Datelike, NaiveDate};

/// Full years (周岁) on `date` by the rule of Chinese courts: a year of age is complete
/// from the day *after* the birthday, so on the sixth birthday a child is still 5.
///
/// Source: 最高人民法院《关于审理未成年人刑事案件具体应用法律若干问题的解释》(法释〔2006〕1号)
/// 第二条: 刑法第十七条规定的"周岁"，按照公历的年、月、日计算，从周岁生日的第二天起算.
/// Someone born on 29 February completes a year on 1 March of a common year and is a year
/// older from 2 March.
pub(crate) fn legal_age(birth: (u16, u8, u8), date: NaiveDate) -> Option<u32> {
    // The day after the birthday counts: the age on `date` is the calendar age on the day
    // before, and 0 on the birth date itself.
    let (y, m, d) = birth;
    if (date.year(), date.month(), date.day()) == (i32::from(y), u32::from(m), u32::from(d)) {
        return Some(0);
    }
    calendar_age(birth, date.pred_opt()?)
}

/// Full years on `date` counting each birthday itself (the anniversary rule of most
/// countries' civil law): 6 on the sixth birthday. `None` before the birth date.
pub(crate) fn calendar_age((year, month, day): (u16, u8, u8), date: NaiveDate) -> Option<u32> {
    let years = date.year() - i32::from(year);
    let before_birthday = (date.month(), date.day()) < (u32::from(month), u32::from(day));
    u32::try_from(years - i32::from(before_birthday)).ok()
}

/// 生肖, the Chinese zodiac animal of a birth year.
///
/// cnid counts by the Gregorian year, as its peers do (鼠 for 2020): someone born in
/// January or early February before the Spring Festival belongs, by the lunar calendar,
/// to the year before. The number carries no more than the date, so [`Zodiac::of_year`]
/// is all cnid can say without a lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Zodiac {
    /// 鼠
    Rat,
    /// 牛
    Ox,
    /// 虎
    Tiger,
    /// 兔
    Rabbit,
    /// 龙
    Dragon,
    /// 蛇
    Snake,
    /// 马
    Horse,
    /// 羊
    Goat,
    /// 猴
    Monkey,
    /// 鸡
    Rooster,
    /// 狗
    Dog,
    /// 猪
    Pig,
}

const ZODIAC: [Zodiac; 12] = [
    Zodiac::Rat,
    Zodiac::Ox,
    Zodiac::Tiger,
    Zodiac::Rabbit,
    Zodiac::Dragon,
    Zodiac::Snake,
    Zodiac::Horse,
    Zodiac::Goat,
    Zodiac::Monkey,
    Zodiac::Rooster,
    Zodiac::Dog,
    Zodiac::Pig,
];

impl Zodiac {
    /// The animal of a Gregorian year (1900, 2020: 鼠).
    ///
    /// ```
    /// assert_eq!(cnid::Zodiac::of_year(2020).as_chinese(), "鼠");
    /// assert_eq!(cnid::Zodiac::of_year(1990).as_chinese(), "马");
    /// ```
    #[must_use]
    pub fn of_year(year: i32) -> Zodiac {
        ZODIAC[(year - 1900).rem_euclid(12) as usize]
    }

    /// The Chinese character: `鼠` … `猪`.
    #[must_use]
    pub const fn as_chinese(self) -> &'static str {
        match self {
            Zodiac::Rat => "鼠",
            Zodiac::Ox => "牛",
            Zodiac::Tiger => "虎",
            Zodiac::Rabbit => "兔",
            Zodiac::Dragon => "龙",
            Zodiac::Snake => "蛇",
            Zodiac::Horse => "马",
            Zodiac::Goat => "羊",
            Zodiac::Monkey => "猴",
            Zodiac::Rooster => "鸡",
            Zodiac::Dog => "狗",
            Zodiac::Pig => "猪",
        }
    }
}

impl fmt::Display for Zodiac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_chinese())
    }
}

/// 星座, the Western star sign of a birth date, with the boundaries peers use
/// (摩羯座 22 December – 19 January, 水瓶座 20 January – 18 February …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Constellation {
    /// 摩羯座
    Capricorn,
    /// 水瓶座
    Aquarius,
    /// 双鱼座
    Pisces,
    /// 白羊座
    Aries,
    /// 金牛座
    Taurus,
    /// 双子座
    Gemini,
    /// 巨蟹座
    Cancer,
    /// 狮子座
    Leo,
    /// 处女座
    Virgo,
    /// 天秤座
    Libra,
    /// 天蝎座
    Scorpio,
    /// 射手座
    Sagittarius,
}

/// The first day of each sign from January on: (month, day, sign).
const SIGN_STARTS: [(u8, u8, Constellation); 12] = [
    (1, 20, Constellation::Aquarius),
    (2, 19, Constellation::Pisces),
    (3, 21, Constellation::Aries),
    (4, 20, Constellation::Taurus),
    (5, 21, Constellation::Gemini),
    (6, 22, Constellation::Cancer),
    (7, 23, Constellation::Leo),
    (8, 23, Constellation::Virgo),
    (9, 23, Constellation::Libra),
    (10, 24, Constellation::Scorpio),
    (11, 23, Constellation::Sagittarius),
    (12, 22, Constellation::Capricorn),
];

impl Constellation {
    /// The sign of a month and day.
    ///
    /// ```
    /// use cnid::Constellation;
    /// assert_eq!(Constellation::of(1, 19).as_chinese(), "摩羯座");
    /// assert_eq!(Constellation::of(1, 20).as_chinese(), "水瓶座");
    /// assert_eq!(Constellation::of(12, 22).as_chinese(), "摩羯座");
    /// ```
    #[must_use]
    pub fn of(month: u8, day: u8) -> Constellation {
        SIGN_STARTS
            .iter()
            .rev()
            .find(|&&(m, d, _)| (month, day) >= (m, d))
            .map_or(Constellation::Capricorn, |&(_, _, sign)| sign)
    }

    /// The Chinese name: `摩羯座` ….
    #[must_use]
    pub const fn as_chinese(self) -> &'static str {
        match self {
            Constellation::Capricorn => "摩羯座",
            Constellation::Aquarius => "水瓶座",
            Constellation::Pisces => "双鱼座",
            Constellation::Aries => "白羊座",
            Constellation::Taurus => "金牛座",
            Constellation::Gemini => "双子座",
            Constellation::Cancer => "巨蟹座",
            Constellation::Leo => "狮子座",
            Constellation::Virgo => "处女座",
            Constellation::Libra => "天秤座",
            Constellation::Scorpio => "天蝎座",
            Constellation::Sagittarius => "射手座",
        }
    }
}

impl fmt::Display for Constellation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_chinese())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// 法释〔2006〕1号 第二条: on the sixth birthday a child is still 5, 6 the day after.
    #[test]
    fn legal_age_counts_from_the_day_after_the_birthday() {
        let birth = (2014, 6, 1);
        assert_eq!(legal_age(birth, on(2020, 5, 31)), Some(5));
        assert_eq!(legal_age(birth, on(2020, 6, 1)), Some(5));
        assert_eq!(legal_age(birth, on(2020, 6, 2)), Some(6));
        assert_eq!(calendar_age(birth, on(2020, 6, 1)), Some(6));
        assert_eq!(legal_age(birth, on(2014, 6, 1)), Some(0));
        assert_eq!(legal_age(birth, on(2014, 6, 2)), Some(0));
        assert_eq!(legal_age(birth, on(2014, 5, 31)), None);
    }

    #[test]
    fn leap_day_births() {
        let birth = (2004, 2, 29);
        assert_eq!(legal_age(birth, on(2005, 3, 1)), Some(0));
        assert_eq!(legal_age(birth, on(2005, 3, 2)), Some(1));
        assert_eq!(legal_age(birth, on(2008, 2, 29)), Some(3));
        assert_eq!(legal_age(birth, on(2008, 3, 1)), Some(4));
        assert_eq!(calendar_age(birth, on(2005, 3, 1)), Some(1));
    }

    /// The two rules differ on the birthday only.
    #[test]
    fn rules_agree_but_on_birthdays() {
        let birth = (1990, 7, 15);
        let mut d = on(1990, 7, 16);
        while d < on(2030, 1, 1) {
            let differ = legal_age(birth, d) != calendar_age(birth, d);
            assert_eq!(differ, d.month() == 7 && d.day() == 15, "{d}");
            d = d.succ_opt().unwrap();
        }
    }

    #[test]
    fn every_day_has_one_sign_and_boundaries_hold() {
        let mut d = on(2024, 1, 1);
        let mut changes = 0;
        let mut last = Constellation::of(1, 1);
        while d.year() == 2024 {
            let sign = Constellation::of(d.month() as u8, d.day() as u8);
            if sign != last {
                changes += 1;
                last = sign;
            }
            d = d.succ_opt().unwrap();
        }
        assert_eq!(changes, 12);
        assert_eq!(Constellation::of(3, 20), Constellation::Pisces);
        assert_eq!(Constellation::of(3, 21), Constellation::Aries);
        assert_eq!(Constellation::of(12, 21), Constellation::Sagittarius);
    }

    #[test]
    fn zodiac_cycle() {
        assert_eq!(Zodiac::of_year(1900), Zodiac::Rat);
        assert_eq!(Zodiac::of_year(2024), Zodiac::Dragon);
        assert_eq!(Zodiac::of_year(1899), Zodiac::Pig);
        assert_eq!(Zodiac::of_year(1800).as_chinese(), "猴");
    }
}
