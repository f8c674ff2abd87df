//! Refusing an event stream before it starts: the API's error as an actix answer (status,
//! headers and body from the shared table).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use std::fmt;
use tandem_api_types::errors::ApiError;

/// An event stream refused with the API's error.
#[derive(Debug)]
pub struct Refused(pub ApiError);

impl<E> From<E> for Refused
where
    ApiError: From<E>,
{
    fn from(error: E) -> Self {
        Self(ApiError::from(error))
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for Refused {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        for header in self.0.headers() {
            response.insert_header(header);
        }
        response.json(self.0.body())
    }
}
