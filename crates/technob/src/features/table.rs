//! A table of named columns, one row per frame, beat, bar or fixed segment.

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::summary::Summary;

/// Rows of `f32` values under named columns, stored row-major in one buffer.
///
/// Serialises as `{"names": [...], "rows": [[...], ...]}`; a NaN (a value that does not exist,
/// e.g. the loudness of a silent beat) is written as JSON `null`.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureTable {
    names: Vec<String>,
    data: Vec<f32>,
}

impl FeatureTable {
    /// A table with these columns and `data.len() / names.len()` rows.
    pub(crate) fn new(names: Vec<String>, data: Vec<f32>) -> FeatureTable {
        debug_assert!(!names.is_empty() && data.len() % names.len() == 0);
        FeatureTable { names, data }
    }

    /// Column names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.names.len()
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.data.len() / self.names.len()
    }

    /// Row `i` (panics when out of range, as slice indexing).
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.n_cols()..(i + 1) * self.n_cols()]
    }

    /// Index of the column called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The values of the column called `name`, one per row.
    pub fn column(&self, name: &str) -> Option<Vec<f32>> {
        let j = self.index_of(name)?;
        Some(self.data.chunks_exact(self.n_cols()).map(|r| r[j]).collect())
    }

    /// All values, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// CSV: a header of column names, then one line per row; NaN as an empty field.
    pub fn to_csv(&self) -> String {
        let mut s = String::with_capacity(self.data.len() * 10 + 64);
        s.push_str(&self.names.join(","));
        s.push('\n');
        for row in self.data.chunks_exact(self.n_cols()) {
            for (j, v) in row.iter().enumerate() {
                if j > 0 {
                    s.push(',');
                }
                if v.is_finite() {
                    let _ = write!(s, "{v}");
                }
            }
            s.push('\n');
        }
        s
    }

    /// Summary of every column whose name is not in `skip`, in column order.
    pub fn summaries(&self, skip: &[&str]) -> Summaries {
        let out = (0..self.n_cols())
            .into_par_iter()
            .filter(|&j| !skip.contains(&self.names[j].as_str()))
            .filter_map(|j| {
                let mut v: Vec<f64> = self
                    .data
                    .chunks_exact(self.n_cols())
                    .map(|r| f64::from(r[j]))
                    .filter(|x| !x.is_nan())
                    .collect();
                Summary::of_vec(&mut v).map(|s| (self.names[j].clone(), s))
            })
            .collect();
        Summaries(out)
    }
}

struct Row<'a>(&'a [f32]);

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for v in self.0 {
            if v.is_finite() { seq.serialize_element(v)? } else { seq.serialize_element(&None::<f32>)? }
        }
        seq.end()
    }
}

struct Rows<'a>(&'a FeatureTable);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        serializer.collect_seq(t.data.chunks_exact(t.n_cols()).map(Row))
    }
}

impl Serialize for FeatureTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("names", &self.names)?;
        map.serialize_entry("rows", &Rows(self))?;
        map.end()
    }
}

/// Per-descriptor summaries in column order; serialises as a JSON object
/// `{name: {mean, std, min, max, p10, p50, p90}, ...}` keeping that order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summaries(pub Vec<(String, Summary)>);

impl Summaries {
    /// The summary of the descriptor called `name`.
    pub fn get(&self, name: &str) -> Option<&Summary> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

impl Serialize for Summaries {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, s) in &self.0 {
            map.serialize_entry(name, s)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_json_and_columns() {
        let t = FeatureTable::new(vec!["a".into(), "b".into()], vec![1.0, f32::NAN, 3.0, 4.5]);
        assert_eq!(t.n_rows(), 2);
        assert_eq!(t.to_csv(), "a,b\n1,\n3,4.5\n");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"names":["a","b"],"rows":[[1.0,null],[3.0,4.5]]}"#
        );
        assert_eq!(t.column("b").unwrap()[1], 4.5);
        let s = t.summaries(&["a"]);
        assert_eq!(s.0.len(), 1);
        assert_eq!(s.get("b").unwrap().mean, 4.5);
    }
}
