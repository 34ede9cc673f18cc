//! The deterministic catalogue every provider simulation draws from: the same countries
//! and package sizes on every start, so tests and demos can name packages in advance.
//! Each provider presents it in its own shape (ids, units, prices in its currency).

/// A destination with packages in the sandbox.
#[derive(Clone, Copy, Debug)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    pub name: &'static str,
    /// A lower-case slug for ids (`germany`).
    pub slug: &'static str,
    /// A price multiplier in percent (100 = the base price).
    pub price_percent: u32,
}

pub const COUNTRIES: [Country; 8] = [
    Country {
        code: "DE",
        name: "Germany",
        slug: "germany",
        price_percent: 100,
    },
    Country {
        code: "FR",
        name: "France",
        slug: "france",
        price_percent: 100,
    },
    Country {
        code: "ES",
        name: "Spain",
        slug: "spain",
        price_percent: 95,
    },
    Country {
        code: "IT",
        name: "Italy",
        slug: "italy",
        price_percent: 100,
    },
    Country {
        code: "GB",
        name: "United Kingdom",
        slug: "united-kingdom",
        price_percent: 110,
    },
    Country {
        code: "US",
        name: "United States",
        slug: "united-states",
        price_percent: 120,
    },
    Country {
        code: "JP",
        name: "Japan",
        slug: "japan",
        price_percent: 130,
    },
    Country {
        code: "TR",
        name: "Turkey",
        slug: "turkey",
        price_percent: 90,
    },
];

/// A package size offered in every country.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Data allowance in MB (1 GB = 1024 MB).
    pub data_mb: u64,
    pub days: u32,
    /// Base retail price in US cents.
    pub base_cents: u64,
    /// Whether top-ups of this size exist (offered to eSIMs bought in the same country).
    pub topup: bool,
}

pub const PLANS: [Plan; 5] = [
    Plan {
        data_mb: 1024,
        days: 7,
        base_cents: 450,
        topup: true,
    },
    Plan {
        data_mb: 3 * 1024,
        days: 30,
        base_cents: 1100,
        topup: true,
    },
    Plan {
        data_mb: 5 * 1024,
        days: 30,
        base_cents: 1600,
        topup: true,
    },
    Plan {
        data_mb: 10 * 1024,
        days: 30,
        base_cents: 2600,
        topup: false,
    },
    Plan {
        data_mb: 20 * 1024,
        days: 30,
        base_cents: 4200,
        topup: false,
    },
];

impl Plan {
    /// Retail price in `country`, in US cents.
    pub fn price_cents(&self, country: &Country) -> u64 {
        self.base_cents * u64::from(country.price_percent) / 100
    }

    /// Wholesale (net) price: 80 % of retail.
    pub fn net_price_cents(&self, country: &Country) -> u64 {
        self.price_cents(country) * 80 / 100
    }

    /// `1 GB`, `3 GB`, `500 MB`.
    pub fn data_label(&self) -> String {
        if self.data_mb.is_multiple_of(1024) {
            format!("{} GB", self.data_mb / 1024)
        } else {
            format!("{} MB", self.data_mb)
        }
    }
}

/// How fast a simulated eSIM uses data once active: MB per simulated hour. Deterministic,
/// so "skip 10 hours" always uses the same amount.
pub const USAGE_MB_PER_HOUR: u64 = 40;

/// The `n`th ICCID a provider issues (`issuer` keeps providers apart): 19 digits starting
/// 8988 (the eSIM test range) with a Luhn check digit, as real ICCIDs carry.
pub fn iccid(issuer: u8, n: u64) -> String {
    let body = format!("8988{:02}{:012}", issuer % 100, n);
    format!("{body}{}", luhn_check_digit(&body))
}

/// The LPA activation string an eSIM's QR code encodes.
pub fn lpa(iccid: &str) -> String {
    format!("LPA:1$smdp.sandbox.invalid${}", activation_code(iccid))
}

/// The matching code to type in by hand.
pub fn activation_code(iccid: &str) -> String {
    let tail = &iccid[iccid.len().saturating_sub(10)..];
    format!("SANDBOX-{tail}")
}

pub const SMDP_ADDRESS: &str = "smdp.sandbox.invalid";

fn luhn_check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let d = d * 2;
                if d > 9 { d - 9 } else { d }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// Whether `iccid` has the shape and check digit of an ICCID (18–22 digits, Luhn valid).
pub fn is_valid_iccid(iccid: &str) -> bool {
    if !(18..=22).contains(&iccid.len()) || !iccid.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (body, check) = iccid.split_at(iccid.len() - 1);
    check.parse::<u32>().ok() == Some(luhn_check_digit(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_iccids_pass_their_own_check() {
        let id = iccid(1, 42);
        assert_eq!(id.len(), 19);
        assert!(is_valid_iccid(&id));
        // The textbook Luhn example: 7992739871 has check digit 3.
        assert_eq!(luhn_check_digit("7992739871"), 3);
        let mut wrong = id.clone();
        let last = wrong.pop().unwrap().to_digit(10).unwrap();
        wrong.push(char::from_digit((last + 1) % 10, 10).unwrap());
        assert!(!is_valid_iccid(&wrong));
    }
}
