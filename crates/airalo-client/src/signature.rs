//! `airalo-signature`: a hex HMAC-SHA512 of a JSON payload keyed with the client secret.
//! Airalo signs the webhooks it sends; its SDKs also sign the requests they send.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;

type HmacSha512 = Hmac<Sha512>;

/// Why a webhook signature was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the airalo-signature header is not a hex HMAC-SHA512")]
    Malformed,
    #[error("the airalo-signature does not match the body")]
    Mismatch,
}

/// `hex(HMAC-SHA512(client_secret, payload))`, as Airalo and its SDKs compute it.
pub fn sign(payload: &[u8], client_secret: &str) -> String {
    let mut mac = HmacSha512::new_from_slice(client_secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(payload);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks `signature_header` against the raw request body, in constant time.
///
/// The SDKs sign a re-encoding of the JSON rather than the bytes on the wire (PHP escapes
/// `/` and non-ASCII; Python and Node escape `/` only), so after the raw body those two
/// canonical forms are tried too. A tampered body matches none of them.
pub fn verify(raw_body: &[u8], signature_header: &str, client_secret: &str) -> Result<(), SignatureError> {
    let expected = hex::decode(signature_header.trim()).map_err(|_| SignatureError::Malformed)?;
    if expected.len() != 64 {
        return Err(SignatureError::Malformed);
    }
    let matches = |payload: &[u8]| {
        let mut mac = HmacSha512::new_from_slice(client_secret.as_bytes()).expect("HMAC takes any key length");
        mac.update(payload);
        mac.verify_slice(&expected).is_ok()
    };
    if matches(raw_body) {
        return Ok(());
    }
    let Ok(text) = std::str::from_utf8(raw_body) else {
        return Err(SignatureError::Mismatch);
    };
    let slashes = reencode(text, false);
    if matches(slashes.as_bytes()) || matches(reencode(text, true).as_bytes()) {
        return Ok(());
    }
    Err(SignatureError::Mismatch)
}

/// The JSON text without insignificant whitespace, `/` escaped as `\/` inside strings and,
/// with `ascii`, every non-ASCII character as `\uXXXX` (PHP's `json_encode`). Key order
/// and number spelling are kept as sent.
fn reencode(text: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if !in_string {
            if !c.is_whitespace() {
                out.push(c);
            }
            in_string = c == '"';
            continue;
        }
        match c {
            _ if escaped => {
                out.push(c);
                escaped = false;
            }
            '\\' => {
                out.push(c);
                escaped = true;
            }
            '"' => {
                out.push(c);
                in_string = false;
            }
            '/' => out.push_str("\\/"),
            c if ascii && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "client-secret";

    #[test]
    fn a_signature_over_the_raw_body_verifies_and_tampering_fails() {
        let body = br#"{"level":"90%","package_name":"change-7days-1gb","remaining_percentage":10,"iccid":"8944"}"#;
        let signature = sign(body, SECRET);
        assert_eq!(verify(body, &signature, SECRET), Ok(()));
        assert_eq!(verify(body, &signature.to_uppercase(), SECRET), Ok(()));
        let tampered = br#"{"level":"90%","package_name":"change-7days-1gb","remaining_percentage":90,"iccid":"8944"}"#;
        assert_eq!(verify(tampered, &signature, SECRET), Err(SignatureError::Mismatch));
        assert_eq!(verify(body, &signature, "other-secret"), Err(SignatureError::Mismatch));
    }

    /// Vectors computed independently, with Python's standard library:
    /// `hmac.new(secret, body, hashlib.sha512).hexdigest()`.
    #[test]
    fn known_good_vectors_computed_with_python_hmac() {
        let low_data = br#"{"level":"90%","package_name":"change-7days-1gb","remaining_percentage":10,"iccid":"8944"}"#;
        let expected = "437c10e2c698f3d8d5540650d92f47d641ea53ed1cd2d7e4200cdea980697a2cb9ac314b70a157bee5512f214788f14830c6e5b72218786e4058d978e04a1151";
        assert_eq!(sign(low_data, "client-secret"), expected);
        assert_eq!(verify(low_data, expected, "client-secret"), Ok(()));
        let credit = br#"{"message":"Surpassed 80% of the credit limit balance","remaining":2000}"#;
        let expected = "600ef121180c00e7f9a978cd64155d161e8be39f39a8e77491f7364afb62ab286a4de629ba145e4a9903887b843d6b0525782aa53c204c4dc5a29295bc743a2d";
        assert_eq!(verify(credit, expected, "sk_test_airalo"), Ok(()));
    }

    #[test]
    fn php_and_node_canonical_forms_are_accepted() {
        let wire = "{\n  \"message\": \"Surpassed 80% of the credit limit\",\n  \"url\": \"https://a.b/c\",\n  \"name\": \"Türkiye\"\n}";
        let php = r#"{"message":"Surpassed 80% of the credit limit","url":"https:\/\/a.b\/c","name":"T\u00fcrkiye"}"#;
        let node = r#"{"message":"Surpassed 80% of the credit limit","url":"https:\/\/a.b\/c","name":"Türkiye"}"#;
        for signed in [php, node] {
            assert_eq!(
                verify(wire.as_bytes(), &sign(signed.as_bytes(), SECRET), SECRET),
                Ok(()),
                "{signed}"
            );
        }
    }

    #[test]
    fn garbage_signatures_are_malformed_not_panics() {
        for header in ["", "zz", "abcd", &"0".repeat(127)] {
            assert_eq!(
                verify(b"{}", header, SECRET),
                Err(SignatureError::Malformed),
                "{header:?}"
            );
        }
        assert_eq!(
            verify(&[0xff, 0xfe], &"0".repeat(128), SECRET),
            Err(SignatureError::Mismatch)
        );
    }
}
