from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from coe_portal import login_views, views
from coe_portal.api import router

# Single sign-on (OpenID Connect); both views answer 404 while OIDC_ENABLED is off.
# The names are the ones mozilla-django-oidc reverses.
sso_urlpatterns = [
    path("authenticate/", login_views.SsoStartView.as_view(), name="oidc_authentication_init"),
    path("callback/", login_views.SsoCallbackView.as_view(), name="oidc_authentication_callback"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("how-the-coe-works/", views.how_it_works, name="how_it_works"),
    path("how-the-coe-works/edit/", views.how_it_works_edit, name="how_it_works_edit"),
    path("how-the-coe-works/preview/", views.markdown_preview, name="markdown_preview"),
    path("login/", login_views.PortalLoginView.as_view(), name="login"),
    path("oidc/", include(sso_urlpatterns)),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("proposals/", include("usecases.urls")),
    path("governance/", include("governance.urls")),
    path("learning/", include("skilling.urls")),
    path("metrics/", include("metrics.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"
    ),
]

if settings.BENCH:
    from coe_portal import bench

    urlpatterns.append(path("bench/floor/", bench.floor, name="bench_floor"))
