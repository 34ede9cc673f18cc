//! The package catalogue: countries → operators → packages, flattened the way Airalo's SDKs
//! offer it, one row per package with its country and operator.

use provider_core::units::DataVolume;

use crate::types::{Country, Operator, Package, PackagesData, PackagesResponse};

/// One package with the country and operator it is sold under.
#[derive(Clone, Debug, PartialEq)]
pub struct FlatPackage {
    pub package: Package,
    /// The country or region slug (`turkey`, `europe`, `world`).
    pub slug: String,
    /// ISO country code; empty for regional and global packages.
    pub country_code: Option<String>,
    pub country_title: Option<String>,
    pub operator_id: i64,
    pub operator_title: String,
    pub plan_type: Option<String>,
    pub is_roaming: Option<bool>,
    pub activation_policy: Option<String>,
    /// The countries the operator covers.
    pub countries: Vec<String>,
}

impl PackagesData {
    /// The countries in page order, whichever form the page came in (an array, or on later
    /// pages an object keyed by position).
    pub fn countries(&self) -> Vec<&Country> {
        match self {
            PackagesData::Array(countries) => countries.iter().collect(),
            PackagesData::Object(by_index) => {
                let mut entries: Vec<(&String, &Country)> = by_index.iter().collect();
                entries.sort_by_key(|(key, _)| key.parse::<u64>().unwrap_or(u64::MAX));
                entries.into_iter().map(|(_, country)| country).collect()
            }
        }
    }

    pub fn into_countries(self) -> Vec<Country> {
        match self {
            PackagesData::Array(countries) => countries,
            PackagesData::Object(by_index) => {
                let mut entries: Vec<(String, Country)> = by_index.into_iter().collect();
                entries.sort_by_key(|(key, _)| key.parse::<u64>().unwrap_or(u64::MAX));
                entries.into_iter().map(|(_, country)| country).collect()
            }
        }
    }
}

/// The countries in page order (`x-pagination` streams a catalogue page's `data` as these).
impl IntoIterator for PackagesData {
    type Item = Country;
    type IntoIter = std::vec::IntoIter<Country>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_countries().into_iter()
    }
}

impl PackagesResponse {
    /// One row per package of this page.
    pub fn flat(&self) -> Vec<FlatPackage> {
        self.data.countries().into_iter().flat_map(Country::flat).collect()
    }
}

impl Country {
    pub fn flat(&self) -> Vec<FlatPackage> {
        self.operators
            .iter()
            .flat_map(|operator| operator.packages.iter().map(|p| self.row(operator, p)))
            .collect()
    }

    fn row(&self, operator: &Operator, package: &Package) -> FlatPackage {
        FlatPackage {
            package: package.clone(),
            slug: self.slug.clone(),
            country_code: self.country_code.clone().filter(|c| !c.is_empty()),
            country_title: self.title.clone(),
            operator_id: operator.id,
            operator_title: operator.title.clone().unwrap_or_default(),
            plan_type: operator.plan_type.clone(),
            is_roaming: operator.is_roaming,
            activation_policy: operator.activation_policy.clone(),
            countries: operator
                .countries
                .iter()
                .filter_map(|c| c.country_code.clone())
                .collect(),
        }
    }
}

impl Package {
    /// The data allowance (`amount` is MB); `None` for unlimited packages, whose amount is 0.
    pub fn data_volume(&self) -> Option<DataVolume> {
        if self.is_unlimited == Some(true) {
            return None;
        }
        self.amount
            .and_then(|mb| u64::try_from(mb).ok())
            .map(DataVolume::from_megabytes)
    }

    /// A SIM package, as opposed to a top-up.
    pub fn is_sim(&self) -> bool {
        self.type_.as_ref().is_none_or(|t| *t == crate::types::PackageType::Sim)
    }
}

impl crate::types::AirmoneyVouchersResponse {
    /// The vouchers created, from either shape Airalo's SDK READMEs show for `data`: one
    /// voucher, or a list of lists of them. Entries that are not vouchers are skipped.
    pub fn vouchers(&self) -> Vec<crate::types::AirmoneyVoucher> {
        fn collect(value: &serde_json::Value, out: &mut Vec<crate::types::AirmoneyVoucher>) {
            match value {
                serde_json::Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
                serde_json::Value::Object(_) => out.extend(serde_json::from_value(value.clone()).ok()),
                _ => {}
            }
        }
        let mut vouchers = Vec::new();
        collect(&self.data, &mut vouchers);
        vouchers
    }
}

impl crate::types::OrderListResponse {
    /// The orders whose description is exactly `description`. `filter[description]` is a
    /// like-match, so a listing filtered by it may hold orders with longer descriptions.
    pub fn described_exactly(self, description: &str) -> Vec<crate::types::Order> {
        self.data
            .into_iter()
            .filter(|order| order.description.as_deref() == Some(description))
            .collect()
    }
}

impl crate::types::BalanceResponse {
    /// The balances, when `data` holds them (Airalo sends `[]` when the account has none).
    pub fn balances(&self) -> Option<crate::types::BalanceData> {
        self.data
            .as_ref()
            .filter(|d| d.is_object())
            .and_then(|d| serde_json::from_value(d.clone()).ok())
    }
}

#[cfg(test)]
mod tests {
    use crate::types::PackagesResponse;

    const COUNTRY: &str = r#"{"slug": "turkey", "operators": [{"id": 7, "packages": [
        {"id": "p-1gb", "price": 4.5, "net_price": "3.60",
         "prices": {"net_price": {"USD": 3.6, "JPY": 540}, "recommended_retail_price": {"USD": "4.50"}}}]}]}"#;

    /// `data` is decoded by looking at its kind (the generator's decoder, not serde's untagged
    /// buffering): an array, an object keyed by position, or an error naming both forms.
    #[test]
    fn packages_data_decodes_by_kind_with_exact_prices() {
        let array: PackagesResponse = serde_json::from_str(&format!(r#"{{"data": [{COUNTRY}]}}"#)).unwrap();
        let object: PackagesResponse =
            serde_json::from_str(&format!(r#"{{"data": {{"1": {COUNTRY}, "0": {COUNTRY}}}}}"#)).unwrap();
        assert_eq!(array.flat().len(), 1);
        assert_eq!(object.flat().len(), 2);
        let package = &array.flat()[0].package;
        assert_eq!(package.price.unwrap().to_string(), "4.5");
        assert_eq!(package.net_price.unwrap().to_string(), "3.60");
        let prices = package.prices.as_ref().unwrap();
        assert_eq!(prices.net_price.as_ref().unwrap()["JPY"].to_string(), "540");
        assert_eq!(
            prices.recommended_retail_price.as_ref().unwrap()["USD"].to_string(),
            "4.50"
        );

        let error = serde_json::from_str::<PackagesResponse>(r#"{"data": "none"}"#).unwrap_err();
        assert!(error.to_string().contains("an array or an object"), "{error}");
        let bad_price = COUNTRY.replace(r#""price": 4.5"#, r#""price": "4,5""#);
        let error = serde_json::from_str::<PackagesResponse>(&format!(r#"{{"data": [{bad_price}]}}"#)).unwrap_err();
        assert!(error.is_data(), "{error}");
    }
}
