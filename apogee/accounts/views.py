"""Account pages: the user's own profile (language, time zone, API tokens) and, for administrators,
the users and teams settings (routed from workspace/urls.py under /settings/users/).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apogee.core.errors import DomainError
from apogee.workspace.forms import SettingsForm
from apogee.workspace.views import admin_required, finish, posted, render_form

from . import services
from .forms import ApiTokenForm, PreferencesForm, TeamForm, UserCreateForm, UserEditForm
from .models import ApiToken, Team, User

# The user's own pages --------------------------------------------------------------------


def _profile_page(request: HttpRequest, *, preferences=None, token_form=None, new_token=None, status=200):
    context = {
        "preferences": preferences or PreferencesForm(user=request.user),
        "token_form": token_form or ApiTokenForm(auto_id="id_token_%s"),
        "tokens": ApiToken.objects.filter(user=request.user),
        "new_token": new_token,
    }
    return render(request, "accounts/profile.html", context, status=status)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The sidebar's EN/FR switch: saved on the user (the middleware applies it on every page) and in
    the cookie for the login page. Redirects only to a page of this site."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if language not in dict(settings.LANGUAGES):
        return redirect(target)
    if request.user.is_authenticated and request.user.language != language:
        services.update_user(user=request.user, language=language, actor=request.user)
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The profile; POST saves the language and time zone, which the middleware applies from then on."""
    if request.method != "POST":
        return _profile_page(request)
    form = PreferencesForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.update_user(
                user=request.user,
                language=form.cleaned_data["language"],
                timezone=form.cleaned_data["timezone"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            # Said in the language just chosen: it is the one the next page is in.
            with translation.override(request.user.language or translation.get_language()):
                messages.success(request, _("Your preferences are saved."))
            return redirect("accounts:profile")
    return _profile_page(request, preferences=form, status=422)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Shows the secret in this one response and never again: it is not stored, only its hash is."""
    form = ApiTokenForm(request.POST, auto_id="id_token_%s")
    if form.is_valid():
        try:
            token, secret = services.create_api_token(
                user=request.user, name=form.cleaned_data["name"], actor=request.user
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            response = _profile_page(request, new_token={"token": token, "secret": secret})
            response["Cache-Control"] = "no-store"
            return response
    return _profile_page(request, token_form=form, status=422)


@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user, revoked_at__isnull=True)
    form = SettingsForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_api_token(token=token, actor=request.user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse("accounts:profile"), _("Token “%s” revoked.") % token.name)
    context = {
        "title": _("Revoke API token"),
        "question": _(
            "Revoke “%(name)s” (%(prefix)s…)? Programs using it will be refused at once. "
            "This cannot be undone."
        )
        % {"name": token.name, "prefix": token.prefix},
        "form": form,
        "action": request.path,
        "submit_label": _("Revoke"),
        "cancel_url": reverse("accounts:profile"),
    }
    return render_form(
        request,
        "settings/confirm.html",
        context,
        invalid=bool(form.errors),
        page_template="accounts/form_page.html",
    )


# Users and teams (settings) ---------------------------------------------------------------


@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    context = {
        "section": "users",
        "users": User.objects.select_related("team").order_by(
            "-is_active", "first_name", "last_name", "username"
        ),
        "teams": Team.objects.annotate(member_count=Count("members")),
    }
    return render(request, "settings/users.html", context)


@admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                username=data["username"],
                email=data["email"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                team=data["team"],
                language=data["language"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse("workspace:users"), _("User “%s” created.") % user)
    context = {
        "section": "users",
        "title": _("New user"),
        "form": form,
        "action": request.path,
        "submit_label": _("Create user"),
        "cancel_url": reverse("workspace:users"),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    form = UserEditForm(posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(user=user, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            # An administrator who just gave up their own rights can no longer see the settings.
            next_url = (
                reverse("workspace:users") if user.is_workspace_admin or user.pk != request.user.pk else "/"
            )
            return finish(request, next_url, _("User “%s” saved.") % user)
    context = {
        "section": "users",
        "title": _("Edit user “%s”") % user.username,
        "form": form,
        "action": request.path,
        "submit_label": _("Save"),
        "cancel_url": reverse("workspace:users"),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))


@admin_required
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(name=form.cleaned_data["name"], actor=request.user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return finish(request, reverse("workspace:users"), _("Team “%s” created.") % team.name)
    context = {
        "section": "users",
        "title": _("New team"),
        "intro": _(
            "Teams group users: a manager sees every deal of their team, and a deal can be shared "
            "with its owner's team."
        ),
        "form": form,
        "action": request.path,
        "submit_label": _("Create team"),
        "cancel_url": reverse("workspace:users"),
    }
    return render_form(request, "settings/form.html", context, invalid=bool(form.errors))
