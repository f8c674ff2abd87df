//! `OrganizationRepository` over sea-orm.

use crate::entities::organization;
use crate::error::port_error;
use crate::guarded::Guarded;
use crate::mapping::organization_from_row;
use async_trait::async_trait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tandem_app::ports::{OrganizationRepository, PortError};
use tandem_domain::{EmailDomain, Organization, OrganizationId};

pub(crate) struct SeaOrganizationRepository {
    pub(crate) db: Guarded,
}

#[async_trait]
impl OrganizationRepository for SeaOrganizationRepository {
    async fn find_active_by_domain(
        &self,
        domain: &EmailDomain,
    ) -> Result<Option<Organization>, PortError> {
        organization::Entity::find()
            .filter(organization::Column::Domain.eq(domain.as_str()))
            .filter(organization::Column::IsActive.eq(true))
            .one(&self.db)
            .await
            .map_err(port_error)?
            .map(organization_from_row)
            .transpose()
    }

    async fn find_by_id(&self, id: OrganizationId) -> Result<Option<Organization>, PortError> {
        organization::Entity::find_by_id(id.get())
            .one(&self.db)
            .await
            .map_err(port_error)?
            .map(organization_from_row)
            .transpose()
    }
}
