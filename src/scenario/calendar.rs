//! Calendar months ("YYYY-MM").

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar month, written "YYYY-MM" in scenario files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Self {
        assert!((1..=12).contains(&month));
        YearMonth { year, month }
    }

    /// Months since year 0 (for arithmetic).
    fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    fn from_index(i: i64) -> Self {
        YearMonth {
            year: i.div_euclid(12) as i32,
            month: (i.rem_euclid(12) + 1) as u32,
        }
    }

    /// The month `n` months after this one.
    pub fn plus(self, n: i64) -> Self {
        Self::from_index(self.index() + n)
    }

    /// Whole months from `self` to `other` (negative if `other` is earlier).
    pub fn months_until(self, other: YearMonth) -> i64 {
        other.index() - self.index()
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            || format!("expected a month written \"YYYY-MM\" (e.g. \"2023-04\"), got \"{s}\"");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) {
            return Err(format!("month must be 01..12, got \"{s}\""));
        }
        Ok(YearMonth { year, month })
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The pattern of a "YYYY-MM" month (months 01 to 12), as [`YearMonth::from_str`] accepts.
pub const YEAR_MONTH_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])$";

impl schemars::JsonSchema for YearMonth {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "YearMonth".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": YEAR_MONTH_PATTERN,
            "description": "A calendar month written \"YYYY-MM\" (e.g. \"2023-04\")."
        })
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_and_parsing() {
        let m: YearMonth = "2023-04".parse().unwrap();
        assert_eq!(m.plus(9).to_string(), "2024-01");
        assert_eq!(m.plus(-4).to_string(), "2022-12");
        assert_eq!(m.months_until("2025-01".parse().unwrap()), 21);
        assert!("2023-13".parse::<YearMonth>().is_err());
        assert!("2023/04".parse::<YearMonth>().is_err());
    }
}
