//! Which methods each documented path takes, read from the OpenAPI document itself, so that a
//! request to a known path with another method gets 405 and an `Allow` header (RFC 9110,
//! 15.5.6) instead of a 404 that says the path does not exist.

use crate::error::{ApiError, ErrorCode};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use utoipa::openapi::OpenApi;

/// Answers 405 before routing when the request names a documented path with a method it does
/// not take. Before routing, so that `PUT /api/v1/users/online` is refused for what it is
/// rather than matched to `PUT /api/v1/users/{user_id}` and refused for its "id".
///
/// # Errors
/// Those of the services after it.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let refusal = req
        .app_data::<web::Data<AllowedMethods>>()
        .and_then(|allowed| refusal(allowed, req.path(), req.method().as_str()));
    match refusal {
        Some(response) => Ok(req.into_response(response)),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// The 405 answer, with `Allow`, for `method` on `path`; `None` when the method is taken or
/// the path is not documented.
fn refusal(allowed: &AllowedMethods, path: &str, method: &str) -> Option<HttpResponse> {
    let methods = allowed.of_path(path);
    if methods.is_empty() || methods.contains(&method) {
        return None;
    }
    let error = ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!(
            "{path} does not take {method}; it takes {}",
            methods.join(", ")
        ),
    );
    let mut response = actix_web::ResponseError::error_response(&error);
    if let Ok(value) = header::HeaderValue::from_str(&methods.join(", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Some(response)
}

/// Path templates (`/api/v1/channels/{channel_id}`) and the methods each takes.
#[derive(Debug, Default)]
pub struct AllowedMethods(Vec<(Vec<String>, Vec<&'static str>)>);

impl AllowedMethods {
    pub fn of(document: &OpenApi) -> Self {
        let paths = document.paths.paths.iter().map(|(template, item)| {
            // HEAD is not listed: the routes answer GET only.
            let operations = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            let methods = operations
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
            (segments(template), methods)
        });
        Self(paths.collect())
    }

    /// The methods `path` takes, or none when no documented path matches it. A literal
    /// segment wins over a parameter (`/users/online` over `/users/{user_id}`).
    pub fn of_path(&self, path: &str) -> &[&'static str] {
        let asked = segments(path);
        self.0
            .iter()
            .filter(|(template, _)| matches(template, &asked))
            .max_by_key(|(template, _)| template.iter().filter(|s| !is_parameter(s)).count())
            .map_or(&[], |(_, methods)| methods.as_slice())
    }
}

fn segments(path: &str) -> Vec<String> {
    path.trim_end_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect()
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

fn matches(template: &[String], asked: &[String]) -> bool {
    template.len() == asked.len()
        && template
            .iter()
            .zip(asked)
            .all(|(t, a)| (is_parameter(t) && !a.is_empty()) || t == a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_name_their_methods_and_literals_win() {
        let allowed = AllowedMethods(vec![
            (segments("/api/v1/users/{user_id}"), vec!["GET", "PUT"]),
            (segments("/api/v1/users/online"), vec!["GET"]),
            (segments("/api/v1/auth/login"), vec!["POST"]),
        ]);
        assert_eq!(allowed.of_path("/api/v1/users/42"), ["GET", "PUT"]);
        assert_eq!(allowed.of_path("/api/v1/users/online"), ["GET"]);
        assert_eq!(allowed.of_path("/api/v1/auth/login/"), ["POST"]);
        assert!(allowed.of_path("/api/v1/users/42/extra").is_empty());
        assert!(allowed.of_path("/api/v1/nothing").is_empty());
    }
}
