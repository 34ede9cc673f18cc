//! Data volumes. Providers disagree on units (Vellosim's REST API counts bytes, its
//! webhooks and Airalo count MB), so every client converts through this one type.

use std::fmt;

/// A data volume, stored in bytes. "MB" in provider docs means MiB (1024 × 1024 bytes):
/// Vellosim documents 5368709120 bytes as "5GB".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DataVolume {
    bytes: u64,
}

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

impl DataVolume {
    pub const fn from_bytes(bytes: u64) -> Self {
        Self { bytes }
    }

    /// From a provider's "MB" figure (MiB); saturates instead of overflowing.
    pub const fn from_megabytes(megabytes: u64) -> Self {
        Self {
            bytes: megabytes.saturating_mul(MIB),
        }
    }

    /// From a fractional "MB" figure (Vellosim webhooks send `512.5`), rounded to the byte.
    /// Negative and non-finite inputs are nonsense from a provider and become zero.
    pub fn from_megabytes_f64(megabytes: f64) -> Self {
        let bytes = megabytes * MIB as f64;
        Self {
            bytes: if bytes.is_finite() && bytes > 0.0 {
                bytes.round() as u64
            } else {
                0
            },
        }
    }

    pub const fn bytes(self) -> u64 {
        self.bytes
    }

    /// Whole MiB, rounded down.
    pub const fn megabytes(self) -> u64 {
        self.bytes / MIB
    }

    pub fn gigabytes(self) -> f64 {
        self.bytes as f64 / GIB as f64
    }
}

/// `5GB`, `512MB`, `1.5GB`: the format providers use in package names.
impl fmt::Display for DataVolume {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (value, unit) = if self.bytes >= GIB {
            (self.bytes as f64 / GIB as f64, "GB")
        } else {
            (self.bytes as f64 / MIB as f64, "MB")
        };
        if value.fract() == 0.0 {
            write!(f, "{value:.0}{unit}")
        } else {
            write!(f, "{value:.1}{unit}")
        }
    }
}

/// `5GB`, `512MB`, `1.5GB`, `100B` (either case, spaces allowed before the unit): what
/// `Display` prints, read back; MB and GB are binary, as the providers mean them.
impl std::str::FromStr for DataVolume {
    type Err = ParseVolumeError;

    fn from_str(text: &str) -> Result<Self, ParseVolumeError> {
        let error = || ParseVolumeError(text.to_owned());
        let trimmed = text.trim();
        let split = trimmed.find(|c: char| c.is_ascii_alphabetic()).ok_or_else(error)?;
        let (number, unit) = trimmed.split_at(split);
        let scale = match unit.to_ascii_uppercase().as_str() {
            "B" => 1,
            "KB" => 1024,
            "MB" => MIB,
            "GB" => GIB,
            "TB" => GIB * 1024,
            _ => return Err(error()),
        };
        let number = number.trim();
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(error());
        }
        // Integer arithmetic, rounded to the byte once: `1.5GB` is exactly 1,610,612,736 bytes.
        let whole: u64 = whole.parse().map_err(|_| error())?;
        let fraction = &fraction[..fraction.len().min(18)];
        let digits: u128 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().map_err(|_| error())?
        };
        let denominator = 10u128.pow(fraction.len() as u32);
        let part = (digits * u128::from(scale) + denominator / 2) / denominator;
        let bytes = whole
            .checked_mul(scale)
            .and_then(|b| b.checked_add(u64::try_from(part).ok()?))
            .ok_or_else(error)?;
        Ok(Self { bytes })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseVolumeError(String);

impl fmt::Display for ParseVolumeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a data volume (e.g. 5GB, 512MB, 1.5GB)", self.0)
    }
}

impl std::error::Error for ParseVolumeError {}

#[cfg(test)]
mod tests {
    use super::DataVolume;

    #[test]
    fn reads_volumes_as_they_are_written() {
        let parse = |text: &str| text.parse::<DataVolume>();
        assert_eq!(parse("5GB"), Ok(DataVolume::from_bytes(5_368_709_120)));
        assert_eq!(parse("512 mb"), Ok(DataVolume::from_megabytes(512)));
        assert_eq!(parse("1.5GB"), Ok(DataVolume::from_megabytes(1536)));
        assert_eq!(parse("100B"), Ok(DataVolume::from_bytes(100)));
        assert_eq!(parse("0.3GB"), Ok(DataVolume::from_bytes(322_122_547)));
        for bad in ["", "GB", "5", "5XB", "-1GB", "1.2.3GB", "99999999999999999999TB"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn converts_like_the_provider_docs() {
        assert_eq!(DataVolume::from_bytes(5_368_709_120).to_string(), "5GB");
        assert_eq!(DataVolume::from_bytes(536_870_912).to_string(), "512MB");
        assert_eq!(DataVolume::from_megabytes(1536).to_string(), "1.5GB");
        assert_eq!(DataVolume::from_megabytes(1024), DataVolume::from_bytes(1_073_741_824));
        assert_eq!(DataVolume::from_bytes(5_368_709_120).megabytes(), 5120);
        assert_eq!(DataVolume::from_megabytes(u64::MAX).bytes(), u64::MAX);
        assert_eq!(DataVolume::from_megabytes_f64(512.5).bytes(), 537_395_200);
        assert_eq!(DataVolume::from_megabytes_f64(-3.0), DataVolume::default());
        assert_eq!(DataVolume::from_megabytes_f64(f64::NAN), DataVolume::default());
    }
}
