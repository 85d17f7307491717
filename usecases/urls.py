app_name = "usecases"

# The app's pages are added here as they are built.
urlpatterns: list = []
