from django.contrib import admin


class BookstoreAdminSite(admin.AdminSite):
    site_header = "Bookstore catalog"
    site_title = "Bookstore"
    index_title = "Catalog and enrichment"
