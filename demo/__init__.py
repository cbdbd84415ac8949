"""The demo province (`manage.py seed_demo`): fictional producers, shops, stamps, scans and orders at real
places, made through every app's services. It sits above oversight: it may import any app, and no app
(nor backend) imports it."""
