app_name = "governance"

# The app's pages are added here as they are built.
urlpatterns: list = []
