//! `/api/v1/organizations`: the caller's organization.

use crate::dto::users::OrganizationResponse;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Caller;
use actix_web::{get, web};
use tandem_app::AppContext;
use tandem_app::organizations;

/// Your organization.
#[utoipa::path(
    tag = "organizations",
    responses(
        (status = 200, description = "Your organization", body = OrganizationResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/current")]
pub async fn current(
    ctx: web::Data<AppContext>,
    caller: Caller,
) -> Result<web::Json<OrganizationResponse>, ApiError> {
    Ok(web::Json(
        organizations::current_organization(&ctx.auth, &caller.actor())
            .await?
            .into(),
    ))
}
