//! A tiny `.npy` reader for golden files (tests only): versions 1–3, little-endian `<f4` or
//! `<f8`, C order. Values are returned as `f64`.

use std::path::Path;

/// An n-dimensional array read from a `.npy` file.
#[derive(Debug)]
pub struct Npy {
    /// Dimensions, outermost first.
    pub shape: Vec<usize>,
    /// Values in C order.
    pub data: Vec<f64>,
}

impl Npy {
    /// Read `path`; panics with a message naming the file on any problem.
    pub fn read(path: &Path) -> Npy {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Npy::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Parse the bytes of a `.npy` file.
    pub fn parse(bytes: &[u8]) -> Result<Npy, String> {
        if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
            return Err("not a .npy file".into());
        }
        let (header_len, start) = match bytes[6] {
            1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
            2 | 3 => {
                if bytes.len() < 12 {
                    return Err("truncated header".into());
                }
                (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12)
            }
            v => return Err(format!("unsupported .npy version {v}")),
        };
        let header = std::str::from_utf8(bytes.get(start..start + header_len).ok_or("truncated header")?)
            .map_err(|_| "header is not UTF-8")?;
        let descr = dict_value(header, "descr").ok_or("no descr")?;
        let descr = descr.trim_matches(|c| c == '\'' || c == '"');
        let fortran = dict_value(header, "fortran_order").ok_or("no fortran_order")?;
        if fortran != "False" {
            return Err("Fortran order is not supported".into());
        }
        let shape_txt = dict_value(header, "shape").ok_or("no shape")?;
        let shape: Vec<usize> = shape_txt
            .trim_matches(|c| c == '(' || c == ')')
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<usize>().map_err(|_| format!("bad shape {shape_txt}")))
            .collect::<Result<_, _>>()?;
        let count: usize = shape.iter().product();
        let body = &bytes[start + header_len..];
        let data: Vec<f64> = match descr {
            "<f4" => {
                if body.len() != count * 4 {
                    return Err(format!("expected {} bytes of data, found {}", count * 4, body.len()));
                }
                body.chunks_exact(4)
                    .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                    .collect()
            }
            "<f8" => {
                if body.len() != count * 8 {
                    return Err(format!("expected {} bytes of data, found {}", count * 8, body.len()));
                }
                body.chunks_exact(8)
                    .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                    .collect()
            }
            other => return Err(format!("unsupported dtype {other}")),
        };
        Ok(Npy { shape, data })
    }

    /// Number of rows and columns of a 2-D array (a 1-D array is one row).
    pub fn dims2(&self) -> (usize, usize) {
        match self.shape.as_slice() {
            [n] => (1, *n),
            [r, c] => (*r, *c),
            s => panic!("expected a 1-D or 2-D array, got shape {s:?}"),
        }
    }
}

/// The raw text of `key`'s value in the header's Python dict literal.
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let pat_single = format!("'{key}':");
    let pat_double = format!("\"{key}\":");
    let at = header
        .find(&pat_single)
        .map(|i| i + pat_single.len())
        .or_else(|| header.find(&pat_double).map(|i| i + pat_double.len()))?;
    let rest = header[at..].trim_start();
    let end =
        if rest.starts_with('(') { rest.find(')')? + 1 } else { rest.find([',', '}']).unwrap_or(rest.len()) };
    Some(rest[..end].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v1_f4_and_f8() {
        let mut f4 = b"\x93NUMPY\x01\x00".to_vec();
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }";
        f4.extend_from_slice(&(header.len() as u16).to_le_bytes());
        f4.extend_from_slice(header.as_bytes());
        f4.extend_from_slice(&1.5f32.to_le_bytes());
        f4.extend_from_slice(&(-2.0f32).to_le_bytes());
        let a = Npy::parse(&f4).unwrap();
        assert_eq!(a.shape, vec![2, 1]);
        assert_eq!(a.data, vec![1.5, -2.0]);

        let mut f8 = b"\x93NUMPY\x01\x00".to_vec();
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }";
        f8.extend_from_slice(&(header.len() as u16).to_le_bytes());
        f8.extend_from_slice(header.as_bytes());
        f8.extend_from_slice(&0.25f64.to_le_bytes());
        assert_eq!(Npy::parse(&f8).unwrap().data, vec![0.25]);
        assert!(Npy::parse(b"garbage!!!!!").is_err());
    }
}
