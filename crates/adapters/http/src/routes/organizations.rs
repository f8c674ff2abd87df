//! `/api/v1/organizations`: the caller's organization, and its settings.

use crate::dto::auth::field;
use crate::dto::identity::OrganizationChanges;
use crate::dto::users::OrganizationResponse;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, Json};
use actix_web::{get, patch, web};
use tandem_app::AppContext;
use tandem_app::organizations;
use tandem_domain::TwoFactorPolicy;

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

/// Change your organization's settings (admins).
#[utoipa::path(
    tag = "organizations",
    request_body = OrganizationChanges,
    responses(
        (status = 200, description = "The organization as changed", body = OrganizationResponse),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "`invalid_two_factor_policy`, or `no_sso_provider` for `sso_only` without a provider", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[patch("/organizations/current")]
pub async fn update(
    ctx: web::Data<AppContext>,
    caller: Caller,
    body: Json<OrganizationChanges>,
) -> Result<web::Json<OrganizationResponse>, ApiError> {
    let body = body.into_inner();
    let two_factor_policy = body
        .two_factor_policy
        .as_deref()
        .map(|policy| field("two_factor_policy", policy.parse::<TwoFactorPolicy>()))
        .transpose()?;
    let changes = organizations::OrganizationChanges {
        self_signup: body.self_signup,
        two_factor_policy,
        sso_only: body.sso_only,
        access_tokens_enabled: body.access_tokens_enabled,
    };
    Ok(web::Json(
        organizations::update_organization(&ctx.auth, &caller.actor(), changes)
            .await?
            .into(),
    ))
}
