"""Django settings for Apogee.

Only what the machine needs lives here (database, secrets, mail, queues); the
workspace's configuration (pipelines, fields, gates) is data edited in the UI.
Every variable is documented in `.env.example`.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# ---------------------------------------------------------------- core
# DEBUG: development conveniences; never on in production.
DEBUG = env_bool("APOGEE_DEBUG", False)
# APOGEE_SECRET_KEY (secret): signs sessions and tokens. Required when not in DEBUG
# unless APOGEE_DEV_SECRET is set by the local run script.
SECRET_KEY = env_str("APOGEE_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or env_bool("APOGEE_DEV_SECRET") or env_bool("APOGEE_TESTING"):
        SECRET_KEY = "dev-only-not-secret-" + "x" * 40
    else:
        raise ImproperlyConfigured("APOGEE_SECRET_KEY must be set (or APOGEE_DEBUG=1 for development).")
# APOGEE_ALLOWED_HOSTS: comma-separated host names this server answers to.
ALLOWED_HOSTS = [h for h in env_str("APOGEE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
# APOGEE_DATA_DIR: where the SQLite database and the huey queue live.
DATA_DIR = Path(env_str("APOGEE_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)
# APOGEE_TESTING: set by the test suite; tasks run inline and passwords hash fast.
TESTING = env_bool("APOGEE_TESTING", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "huey.contrib.djhuey",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "apogee.core",
    "apogee.accounts",
    "apogee.contacts",
    "apogee.customfields",
    "apogee.pipelines",
    "apogee.deals",
    "apogee.leads",
    "apogee.activities",
    "apogee.notes",
    "apogee.contracts",
    "apogee.search",
    "apogee.workspace",
    "apogee.timeline",
    "apogee.notifications",
    "apogee.bids",
    "apogee.missions",
    "apogee.offers",
    "apogee.products",
    "apogee.insights",
    "apogee.integrations.pipedrive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apogee.core.middleware.UserPreferencesMiddleware",
]

ROOT_URLCONF = "apogee.urls"
WSGI_APPLICATION = "apogee.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "apogee" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "apogee.core.undo.undo_offer",
                "apogee.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# ---------------------------------------------------------------- database
# DATABASE_URL: e.g. postgres://user:pass@127.0.0.1:5432/apogee (secret: holds a password).
# Unset means SQLite in APOGEE_DATA_DIR, tuned for concurrent writers (ARCHITECTURE.md).
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("APOGEE_SQLITE_PATH", str(DATA_DIR / "apogee.sqlite3")),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------- auth
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "apogee.accounts.adapters.NoSignupAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

# ---------------------------------------------------------------- i18n
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "apogee" / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["apogee.formats"]
USE_TZ = True
TIME_ZONE = "UTC"
# APOGEE_DEFAULT_TIMEZONE: the zone times are shown in for users who chose none.
DEFAULT_USER_TIMEZONE = env_str("APOGEE_DEFAULT_TIMEZONE", "Europe/Zurich")

# ---------------------------------------------------------------- static files
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "apogee" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploaded files (offer documents): under the data dir, served only by permission-checked views.
MEDIA_ROOT = DATA_DIR / "media"
# APOGEE_OFFER_MAX_UPLOAD_MB: the largest offer document accepted, in megabytes.
APOGEE_OFFER_MAX_UPLOAD_MB = env_int("APOGEE_OFFER_MAX_UPLOAD_MB", 20)

# ---------------------------------------------------------------- background jobs
# REDIS_URL: use Redis for the huey queue (several workers, several machines).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "apogee", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "apogee",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": TESTING or env_bool("APOGEE_HUEY_IMMEDIATE", False),
    }
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# ---------------------------------------------------------------- mail
# APOGEE_EMAIL_HOST / _PORT: the SMTP relay for outgoing mail; console when unset.
EMAIL_HOST = env_str("APOGEE_EMAIL_HOST")
EMAIL_PORT = env_int("APOGEE_EMAIL_PORT", 25)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("APOGEE_FROM_EMAIL", "apogee@localhost")

# ---------------------------------------------------------------- security
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("APOGEE_LOG_LEVEL", "WARNING")},
}

# ---------------------------------------------------------------- workspace
# The base currency every total is converted to.
APOGEE_BASE_CURRENCY = "CHF"
