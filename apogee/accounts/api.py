"""JSON API of accounts: who am I, and the active users a record may be assigned to."""

from ninja import Router, Schema

from .models import User
from .queries import active_users

router = Router(tags=["users"])


class UserOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    full_name: str
    role: str
    team_id: int | None
    is_admin: bool

    @staticmethod
    def resolve_full_name(user: User) -> str:
        return str(user)

    @staticmethod
    def resolve_is_admin(user: User) -> bool:
        return user.is_workspace_admin


class MeOut(UserOut):
    language: str
    timezone: str


@router.get("/me", response=MeOut)
def me(request):
    """The user the token or session belongs to."""
    return request.auth


@router.get("/users", response=list[UserOut])
def list_users(request):
    """Active users: the possible owners of deals and contacts."""
    return active_users()
