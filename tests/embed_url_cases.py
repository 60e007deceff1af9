"""Article URLs and what ``normalise_url`` makes of them: shared by the Python unit tests
(tests/test_embed_urls.py) and the browser test that runs embed.js's ``normaliseUrl`` on the same
table, so the build and the player name every article alike.

``CASES``: (input URL, normalised URL or None when it is not an http(s) article address).
"""

CASES = [
    # Le Monde: xtor (AT Internet) and utm_* are campaign tags, not another article
    ("https://www.lemonde.fr/international/article/2025/03/14/l-otan-face-a-la-guerre-en-ukraine_6581234_3210.html",
     "https://www.lemonde.fr/international/article/2025/03/14/l-otan-face-a-la-guerre-en-ukraine_6581234_3210.html"),
    ("https://www.lemonde.fr/international/article/2025/03/14/l-otan-face-a-la-guerre-en-ukraine_6581234_3210.html"
     "?xtor=AL-32280270-[facebook]&utm_source=facebook&utm_medium=social#Echobox=1741939200",
     "https://www.lemonde.fr/international/article/2025/03/14/l-otan-face-a-la-guerre-en-ukraine_6581234_3210.html"),
    ("http://WWW.LeMonde.FR:80/planete/article/2025/02/01/climat_6541234_3244.html?xtor=RSS-3208",
     "https://www.lemonde.fr/planete/article/2025/02/01/climat_6541234_3244.html"),
    ("https://www.lemonde.fr/economie/?utm_campaign=newsletter&page=2",
     "https://www.lemonde.fr/economie?page=2"),
    # Ouest-France: the id in the path is the article; tracking after it
    ("https://www.ouest-france.fr/bretagne/rennes-35000/rennes-le-metro-ligne-b-prolonge-"
     "7c1e2f3a-0b4d-11ef-9a2b-3c5d7e8f9a01?utm_source=ouestfrance&utm_medium=partage&fbclid=IwAR3xYz",
     "https://www.ouest-france.fr/bretagne/rennes-35000/rennes-le-metro-ligne-b-prolonge-"
     "7c1e2f3a-0b4d-11ef-9a2b-3c5d7e8f9a01"),
    ("https://www.ouest-france.fr/sport/football/stade-rennais/?at_medium=custom7&at_campaign=twitter",
     "https://www.ouest-france.fr/sport/football/stade-rennais"),
    # Libération: trailing slash, AMP-style fragment, Google and Microsoft click ids
    ("https://www.liberation.fr/politique/elections/municipales-2026-ce-qui-change-20250310_ABCDEF123/",
     "https://www.liberation.fr/politique/elections/municipales-2026-ce-qui-change-20250310_ABCDEF123"),
    ("https://www.liberation.fr/societe/sante/grippe-20250120_XYZ/?gclid=Cj0KCQ&msclkid=abc123#commentaires",
     "https://www.liberation.fr/societe/sante/grippe-20250120_XYZ"),
    ("https://www.liberation.fr/culture/cinema/cesar-2025/?utm_source=twitter&id=42&utm_medium=social&ref=accueil",
     "https://www.liberation.fr/culture/cinema/cesar-2025?id=42&ref=accueil"),
    # Le Figaro, 20 Minutes, France Info: mailing-list and social ids, Facebook's, Instagram's
    ("https://www.lefigaro.fr/flash-actu/greve-sncf-20250305?mc_cid=8a7b6c&mc_eid=1234abcd",
     "https://www.lefigaro.fr/flash-actu/greve-sncf-20250305"),
    ("https://www.20minutes.fr/societe/4123456-20250102-neige?igshid=MzRlODBiNWFl&xtref=https://t.co/x",
     "https://www.20minutes.fr/societe/4123456-20250102-neige"),
    ("https://www.francetvinfo.fr/monde/europe/ukraine.html?ocid=msedgntp&cmpid=ABC&ito=792&sr_share=twitter",
     "https://www.francetvinfo.fr/monde/europe/ukraine.html"),
    ("https://www.francetvinfo.fr/direct.html?_ga=2.1.2.3&_gl=1*abc&twclid=2-xyz&yclid=99&ncid=rss",
     "https://www.francetvinfo.fr/direct.html"),
    ("https://www.lepoint.fr/politique/debat.php?dclid=1&gbraid=2&wbraid=3&UTM_SOURCE=Twitter",
     "https://www.lepoint.fr/politique/debat.php"),
    # parameters that are not tracking stay, in their order (a name only starting like one stays)
    ("https://www.mediapart.fr/journal/france/enquete?onglet=full&page=3",
     "https://www.mediapart.fr/journal/france/enquete?onglet=full&page=3"),
    ("https://www.lesechos.fr/finance?utm=1&at=2&xtor_extra=3&item=4",
     "https://www.lesechos.fr/finance?utm=1&at=2&xtor_extra=3&item=4"),
    # ports: the default one goes (http's 80, https's 443, 443 once http becomes https), another stays
    ("https://www.gazette.example:443/monde/otan-cheque", "https://www.gazette.example/monde/otan-cheque"),
    ("http://www.gazette.example:443/monde/otan-cheque", "https://www.gazette.example/monde/otan-cheque"),
    ("https://www.gazette.example:8443/monde/otan-cheque", "https://www.gazette.example:8443/monde/otan-cheque"),
    # the root, an empty path, a query with nothing left
    ("https://www.gazette.example", "https://www.gazette.example/"),
    ("https://www.gazette.example/", "https://www.gazette.example/"),
    ("https://www.gazette.example/?utm_source=x", "https://www.gazette.example/"),
    ("https://www.gazette.example/monde/otan-cheque//", "https://www.gazette.example/monde/otan-cheque"),
    ("https://www.gazette.example/monde/otan-cheque?", "https://www.gazette.example/monde/otan-cheque"),
    ("https://www.gazette.example/monde/otan-cheque?&&utm_source=x&", "https://www.gazette.example/monde/otan-cheque"),
    # percent-encoding as the browser's URL writes it: accents and spaces encoded, %XX left as written
    ("https://www.gazette.example/société/élections 2026", "https://www.gazette.example/soci%C3%A9t%C3%A9/%C3%A9lections%202026"),
    ("https://www.gazette.example/soci%C3%A9t%C3%A9/d%c3%a9bat", "https://www.gazette.example/soci%C3%A9t%C3%A9/d%c3%a9bat"),
    ("https://www.gazette.example/recherche?q=ville d'été", "https://www.gazette.example/recherche?q=ville%20d%27%C3%A9t%C3%A9"),
    # dot segments resolved; IDNA host in its ASCII form
    ("https://www.gazette.example/monde/./europe/../otan-cheque", "https://www.gazette.example/monde/otan-cheque"),
    ("https://www.journal-bréton.example/article", "https://www.xn--journal-brton-khb.example/article"),
    # not an article address
    ("mailto:redaction@gazette.example", None),
    ("javascript:alert(1)", None),
    ("ftp://www.gazette.example/a", None),
    ("/monde/otan-cheque", None),
    ("", None),
]
