//! `/api/v1/users`: the people of the caller's organization.

use crate::dto::users::{
    ListUsersQuery, SetStatusRequest, UpdateUserRequest, UserPageResponse, UserResponse,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Caller, Json, validated};
use actix_web::{delete, get, post, put, web};
use tandem_app::AppContext;
use tandem_app::users::{self, ListUsers};
use tandem_domain::UserId;

/// List the people of your organization, by id, a page at a time.
#[utoipa::path(
    tag = "users",
    params(ListUsersQuery),
    responses(
        (status = 200, description = "A page of users", body = UserPageResponse),
        (status = 400, description = "Bad query parameter", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(
    ctx: web::Data<AppContext>,
    caller: Caller,
    query: web::Query<ListUsersQuery>,
) -> Result<web::Json<UserPageResponse>, ApiError> {
    let query = query.into_inner();
    let request = ListUsers {
        after: query.after.map(UserId::new),
        limit: query.limit,
        include_inactive: query.include_inactive,
        present_only: false,
    };
    Ok(web::Json(
        users::list_users(&ctx.people, &caller.actor(), request)
            .await?
            .into(),
    ))
}

/// People of your organization who are connected right now (a WebSocket open on any node),
/// with the status they chose.
#[utoipa::path(
    tag = "users",
    params(ListUsersQuery),
    responses(
        (status = 200, description = "A page of users", body = UserPageResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/users/online")]
pub async fn online_users(
    ctx: web::Data<AppContext>,
    caller: Caller,
    query: web::Query<ListUsersQuery>,
) -> Result<web::Json<UserPageResponse>, ApiError> {
    let page = users::online_users(
        &ctx.people,
        &caller.actor(),
        query.after.map(UserId::new),
        query.limit,
    )
    .await?;
    Ok(web::Json(page.into()))
}

/// One user of your organization. Users of other organizations are 404.
#[utoipa::path(
    tag = "users",
    params(("user_id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = UserResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such user in your organization", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/users/{user_id}")]
pub async fn get_user(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<UserResponse>, ApiError> {
    Ok(web::Json(
        users::get_user(&ctx.people, &caller.actor(), UserId::new(path.into_inner()))
            .await?
            .into(),
    ))
}

/// Change a user. You edit your own profile; admins edit anyone's, change roles, and
/// deactivate or reactivate accounts. Deactivating someone deactivates the bots they own, as
/// `DELETE` does; reactivating them does not bring those bots back.
#[utoipa::path(
    tag = "users",
    params(("user_id" = i64, Path, description = "The user's id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The user as stored", body = UserResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not allowed (e.g. a member changing a role)", body = ErrorBody),
        (status = 404, description = "No such user in your organization", body = ErrorBody),
        (status = 409, description = "`email_taken`, `username_taken` or `last_admin`", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[put("/users/{user_id}")]
pub async fn update_user(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<UpdateUserRequest>,
) -> Result<web::Json<UserResponse>, ApiError> {
    let changes = validated(body.into_inner())?.into_changes()?;
    Ok(web::Json(
        users::update_user(
            &ctx.people,
            &caller.actor(),
            UserId::new(path.into_inner()),
            changes,
        )
        .await?
        .into(),
    ))
}

/// Deactivate a user (a soft delete that ends all their sessions). The bots they own are
/// deactivated with them: their tokens stop and their sockets close, and only an admin brings
/// one back (`POST /bots/{bot_id}/token`); the bots of incoming webhooks they made are their
/// channels' and go on posting. Admins, or the user themselves.
#[utoipa::path(
    tag = "users",
    params(("user_id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The deactivated user", body = UserResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such user in your organization", body = ErrorBody),
        (status = 409, description = "`last_admin`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/users/{user_id}")]
pub async fn delete_user(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<web::Json<UserResponse>, ApiError> {
    Ok(web::Json(
        users::deactivate_user(&ctx.people, &caller.actor(), UserId::new(path.into_inner()))
            .await?
            .into(),
    ))
}

/// Set your status: `online`, `away`, `busy` or `offline`.
#[utoipa::path(
    tag = "users",
    params(("user_id" = i64, Path, description = "Your own id")),
    request_body = SetStatusRequest,
    responses(
        (status = 200, description = "You, with the new status", body = UserResponse),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not your own status", body = ErrorBody),
        (status = 404, description = "No such user in your organization", body = ErrorBody),
        (status = 422, description = "Unknown status", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/users/{user_id}/status")]
pub async fn set_status(
    ctx: web::Data<AppContext>,
    caller: Caller,
    path: web::Path<i64>,
    body: Json<SetStatusRequest>,
) -> Result<web::Json<UserResponse>, ApiError> {
    let user = users::set_status(
        &ctx.people,
        &caller.actor(),
        UserId::new(path.into_inner()),
        body.status.into(),
    )
    .await?;
    Ok(web::Json(user.into()))
}
