//! The vendored digits data, shared by the examples that use it: the 1,797 8×8 images of the
//! UCI "Optical Recognition of Handwritten Digits" set (Alpaydin & Kaynak, 1998, CC BY 4.0),
//! `examples/data/digits.csv.gz`; see `examples/data/README.md`.

use std::error::Error;
use std::io::Read;

use flate2::read::GzDecoder;

/// One 8×8 image (pixels scaled to [0, 1], row-major) and its digit.
pub struct Sample {
    pub pixels: [f64; 64],
    pub label: usize,
}

/// Reads the vendored digits: gzip-compressed CSV, 64 pixels (0..16) then the label per row.
pub fn load_digits() -> Result<Vec<Sample>, Box<dyn Error>> {
    let compressed: &[u8] = include_bytes!("../data/digits.csv.gz");
    let mut text = String::new();
    GzDecoder::new(compressed).read_to_string(&mut text)?;
    text.lines()
        .enumerate()
        .map(|(i, line)| parse_row(line).map_err(|e| format!("digits.csv.gz, line {}: {e}", i + 1)))
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

fn parse_row(line: &str) -> Result<Sample, String> {
    let fields = line
        .split(',')
        .map(|f| f.trim().parse::<f64>().map_err(|e| format!("{f:?}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let [pixels @ .., label] = fields.as_slice() else {
        unreachable!("split yields at least one field")
    };
    if pixels.len() != 64 {
        return Err(format!(
            "expected 64 pixels and a label, found {} fields",
            fields.len()
        ));
    }
    if !(label.fract() == 0.0 && (0.0..=9.0).contains(label)) {
        return Err(format!("label {label} is not a digit"));
    }
    Ok(Sample {
        pixels: std::array::from_fn(|i| pixels[i] / 16.0),
        label: *label as usize,
    })
}
