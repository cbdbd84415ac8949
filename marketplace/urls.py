"""Marketplace pages (Vietnamese paths, like the rest of the site)."""

from django.urls import path

from marketplace.views import desk, shop, stock

app_name = "marketplace"
urlpatterns = [
    path("san-pham/", shop.catalogue_page, name="catalogue"),
    path("san-pham/<int:pk>/", shop.listing_page, name="listing"),
    path("gio-hang/", shop.cart_page, name="cart"),
    path("gio-hang/them/", shop.cart_add, name="cart_add"),
    path("thanh-toan/", shop.checkout_page, name="checkout"),
    path("thanh-toan/xong/<uuid:token>/", shop.checkout_done, name="checkout_done"),
    path("don-hang/", shop.my_orders, name="my_orders"),
    path("don-hang/<str:token>/", shop.order_page, name="order_detail"),
    path("don-hang/<str:token>/vietqr.png", shop.order_vietqr, name="order_vietqr"),
    path("don-hang/<str:token>/huy/", shop.order_cancel, name="order_cancel"),
    path("ban-hang/", desk.seller_home, name="seller_home"),
    path("ban-hang/niem-yet/moi/", desk.listing_edit, name="listing_new"),
    path("ban-hang/niem-yet/<int:pk>/", desk.listing_edit, name="listing_edit"),
    path("ban-hang/cai-dat/", desk.seller_settings, name="seller_settings"),
    path("ban-hang/dai-ly/", desk.resellers, name="resellers"),
    path("ban-hang/don-hang/", desk.desk, name="desk"),
    path("ban-hang/don-hang/xuat.csv", desk.desk_csv, name="desk_csv"),
    path("ban-hang/don-hang/phieu-dong-goi.pdf", desk.desk_packing_list, name="desk_packing_all"),
    path("ban-hang/don-hang/<int:pk>/", desk.desk_order, name="desk_order"),
    path("ban-hang/don-hang/<int:pk>/phieu-dong-goi.pdf", desk.desk_packing_list, name="desk_packing"),
    path("ban-hang/don-hang/<int:pk>/tem/", desk.desk_stamps, name="desk_stamps"),
    path("ban-hang/don-hang/<int:pk>/<slug:action>/", desk.desk_action, name="desk_action"),
    path("diem-ban/<int:pk>/hang-hoa/", stock.retail_stock_page, name="retail_stock"),
]
