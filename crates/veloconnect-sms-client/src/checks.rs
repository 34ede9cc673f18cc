//! Checks the platform's documentation states for a send, made before anything is sent:
//! numbers are the country code and number in digits (no `+`), several are joined by commas
//! without spaces, and a message has a text or a template id.

use crate::types::{PhoneNumbers, SendSmsRequest};

/// Why a send was refused before it left.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSms {
    #[error("no phone number given")]
    NoNumber,
    #[error("phone number {0:?} starts with `+`: send the country code and number in digits only")]
    PlusSign(String),
    #[error("the number list has a space: join numbers with `,` only")]
    SpaceInList,
    #[error("phone number {0:?} is not all digits")]
    NotDigits(String),
    #[error("a message needs `textmessage` or `templateid`")]
    NoTextOrTemplate,
    /// A required field is missing or a value does not fit its type.
    #[error("incomplete request: {0}")]
    Incomplete(String),
}

/// `919622333345` or `919622333345,919622333346`, checked.
pub fn recipients(list: &str) -> Result<PhoneNumbers, InvalidSms> {
    if list.is_empty() {
        return Err(InvalidSms::NoNumber);
    }
    if list.contains(char::is_whitespace) {
        return Err(InvalidSms::SpaceInList);
    }
    for number in list.split(',') {
        if number.starts_with('+') {
            return Err(InvalidSms::PlusSign(number.to_owned()));
        }
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidSms::NotDigits(number.to_owned()));
        }
    }
    list.parse()
        .map_err(|e: crate::types::error::ConversionError| InvalidSms::Incomplete(e.to_string()))
}

/// The request SendSMS and SendSMSMulti take, checked: its numbers, and a text or a
/// template id. Pass the built request or its builder.
pub fn checked<R>(request: R) -> Result<SendSmsRequest, InvalidSms>
where
    R: TryInto<SendSmsRequest>,
    R::Error: std::fmt::Display,
{
    let request = request.try_into().map_err(|e| InvalidSms::Incomplete(e.to_string()))?;
    recipients(&request.phonenumber)?;
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    if blank(&request.textmessage) && blank(&request.templateid) {
        return Err(InvalidSms::NoTextOrTemplate);
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_digits_joined_by_commas() {
        assert!(recipients("919622333345").is_ok());
        assert!(recipients("919622333345,919622333346").is_ok());
        assert_eq!(recipients(""), Err(InvalidSms::NoNumber));
        assert_eq!(
            recipients("+919622333345"),
            Err(InvalidSms::PlusSign("+919622333345".into()))
        );
        assert_eq!(recipients("9196, 9197"), Err(InvalidSms::SpaceInList));
        assert_eq!(recipients("9196,,9197"), Err(InvalidSms::NotDigits(String::new())));
        assert_eq!(recipients("9196-22"), Err(InvalidSms::NotDigits("9196-22".into())));
    }

    /// The hand-written reasons and the spec's `pattern` (the generated type) agree.
    #[test]
    fn the_reasons_match_the_spec_pattern() {
        for list in ["1", "12,34", "", "+1", "1 ,2", "1,", ",1", "a1", "1,2,3"] {
            let pattern = list.parse::<PhoneNumbers>().is_ok();
            assert_eq!(recipients(list).is_ok(), pattern, "{list:?}");
        }
    }

    #[test]
    fn a_message_needs_text_or_a_template() {
        let base = || {
            SendSmsRequest::builder()
                .sms_type(crate::types::SmsType::T)
                .encoding(crate::types::Encoding::T)
                .sender_id("VELOSMS")
                .phonenumber("919622333345")
        };
        assert_eq!(checked(base()).unwrap_err(), InvalidSms::NoTextOrTemplate);
        assert!(checked(base().textmessage(Some("hi".to_owned()))).is_ok());
        assert!(checked(base().templateid(Some("10".to_owned()))).is_ok());
        assert!(matches!(
            checked(base().phonenumber("+1")),
            Err(InvalidSms::Incomplete(_))
        ));
    }
}
