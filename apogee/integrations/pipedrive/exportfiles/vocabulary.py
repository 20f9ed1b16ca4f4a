"""The words of Pipedrive's export headers, in English and French, and what each one means.

A header is "<Entity> - <Field label>". Labels are matched after folding (case, accents,
spaces, a trailing "*"). The English labels come from scripts that parse real exports
(research/integrations.md §2.10); the French ones are our best reading of Pipedrive's French
interface and are unconfirmed: a caller can add its own through `header_aliases`.

A field is (target, kind): the target names the record attribute ("title", "owner.name" for a
Ref's name part, "organization.id" for its id part, "address.postal_code"), the kind names the
value parser (see rows.PARSERS).
"""

ENTITIES = ("deal", "person", "organization", "activity", "lead", "note", "product")

PREFIXES = {
    "deal": ("deal", "deals", "affaire", "affaires"),
    "person": ("person", "people", "persons", "personne", "personnes"),
    "organization": ("organization", "organisation", "organizations", "organisations", "org"),
    "activity": ("activity", "activities", "activite", "activites"),
    "lead": ("lead", "leads", "prospect", "prospects"),
    "note": ("note", "notes"),
    "product": ("product", "products", "produit", "produits"),
}

# Words a file name carries ("deals-8087566-12.csv", "export_personnes.xlsx").
FILENAME_HINTS = {
    "deal": ("deal", "affaire"),
    "person": ("person", "people", "personne", "contact"),
    "organization": ("organization", "organisation", "compan", "entreprise"),
    "activity": ("activit",),
    "lead": ("lead", "prospect"),
    "note": ("note",),
    "product": ("product", "produit"),
}

# The column that must be there for a row to become a record.
REQUIRED = {
    "deal": ("title",),
    "person": ("name",),
    "organization": ("name",),
    "activity": ("subject",),
    "lead": ("title",),
    "note": ("content",),
    "product": ("name",),
}

# The attribute holding a record's own name, which a linked file's "Person - Name" fills.
NAME_TARGET = {
    "deal": "title",
    "person": "name",
    "organization": "name",
    "lead": "title",
    "activity": "subject",
    "note": "",
    "product": "name",
}

# Which linked records each entity refers to (an attribute named after the entity).
REFERENCES = {
    "deal": ("person", "organization"),
    "person": ("organization",),
    "organization": (),
    "activity": ("deal", "lead", "person", "organization"),
    "lead": ("person", "organization"),
    "note": ("deal", "lead", "person", "organization"),
    "product": (),
}

HAS_CUSTOM = {"deal", "person", "organization", "lead", "product"}

_OWNER = [
    ("owner.name", "text", ["Owner", "Owner name", "Propriétaire", "Responsable"]),
    ("owner.id", "id", ["Owner ID", "User ID", "ID du propriétaire"]),
]
_TIMES = [
    (
        "add_time",
        "datetime",
        ["Add time", "Created", "Creation date", "Date de création", "Date d'ajout", "Créé le"],
    ),
    (
        "update_time",
        "datetime",
        [
            "Update time",
            "Last updated",
            "Updated",
            "Heure de mise à jour",
            "Dernière mise à jour",
            "Mis à jour le",
            "Date de mise à jour",
        ],
    ),
]


def _refs(entity: str, names: list[str], ids: list[str]) -> list:
    return [(f"{entity}.name", "text", names), (f"{entity}.id", "id", ids)]


_ORGANIZATION_REF = _refs(
    "organization",
    ["Organization", "Organisation", "Organization name", "Nom de l'organisation"],
    ["Organization ID", "Org ID", "ID de l'organisation", "ID organisation"],
)
_PERSON_REF = _refs(
    "person",
    ["Contact person", "Person", "Contact person name", "Personne de contact", "Personne", "Contact"],
    ["Contact person ID", "Person ID", "ID de la personne de contact", "ID de la personne"],
)
_DEAL_REF = _refs(
    "deal", ["Deal", "Deal title", "Affaire", "Titre de l'affaire"], ["Deal ID", "ID de l'affaire"]
)
_LEAD_REF = _refs("lead", ["Lead", "Lead title", "Prospect"], ["Lead ID", "ID du prospect"])
_VALUE = [
    ("value", "number", ["Value", "Deal value", "Lead value", "Valeur"]),
    (
        "currency",
        "currency",
        [
            "Currency of Value",
            "Currency",
            "Value currency",
            "Devise",
            "Devise de Valeur",
            "Devise de la valeur",
        ],
    ),
]
_LABELS = ["Label", "Labels", "Étiquette", "Étiquettes", "Libellé", "Libellés"]

FIELDS = {
    "deal": [
        ("source_id", "id", ["ID", "Deal ID", "Pipedrive System ID", "ID de l'affaire"]),
        ("title", "text", ["Title", "Deal title", "Name", "Titre", "Titre de l'affaire"]),
        *_VALUE,
        *_OWNER,
        ("pipeline.name", "text", ["Pipeline", "Pipeline name", "Nom du pipeline"]),
        ("pipeline.id", "id", ["Pipeline ID", "ID du pipeline"]),
        ("stage.name", "text", ["Stage", "Stage name", "Étape", "Phase"]),
        ("stage.id", "id", ["Stage ID", "ID de l'étape"]),
        ("stage+pipeline", "text", ["Stage (pipeline)", "Étape (pipeline)"]),
        ("status", "status", ["Status", "Statut"]),
        *_ORGANIZATION_REF,
        *_PERSON_REF,
        ("labels", "labels", _LABELS),
        ("probability", "integer", ["Probability", "Deal probability", "Probabilité"]),
        (
            "expected_close_date",
            "date",
            ["Expected close date", "Date de clôture prévue", "Date de conclusion prévue"],
        ),
        (
            "add_time",
            "datetime",
            [
                "Deal created",
                "Deal created on",
                "Add time",
                "Created",
                "Creation date",
                "Affaire créée",
                "Affaire créée le",
                "Date de création",
                "Créée le",
            ],
        ),
        _TIMES[1],
        (
            "stage_change_time",
            "datetime",
            ["Last stage change", "Stage change time", "Dernier changement d'étape"],
        ),
        (
            "won_time",
            "datetime",
            ["Won time", "Won on", "Deal won on", "Date de gain", "Heure de gain", "Gagnée le"],
        ),
        (
            "lost_time",
            "datetime",
            ["Lost time", "Lost on", "Deal lost on", "Date de perte", "Heure de perte", "Perdue le"],
        ),
        (
            "close_time",
            "datetime",
            [
                "Deal closed on",
                "Close time",
                "Closed on",
                "Affaire clôturée le",
                "Date de clôture",
                "Clôturée le",
            ],
        ),
        ("lost_reason", "text", ["Lost reason", "Raison de la perte", "Motif de perte", "Raison de perte"]),
        ("visible_to", "text", ["Visible to", "Visible par", "Visible pour"]),
        ("is_archived", "archived", ["Archive status", "Archived", "Statut d'archivage", "Archivée"]),
    ],
    "person": [
        ("source_id", "id", ["ID", "Person ID", "Pipedrive System ID", "ID de la personne"]),
        ("name", "text", ["Name", "Person name", "Full name", "Nom", "Nom complet"]),
        ("first_name", "text", ["First name", "Prénom"]),
        ("last_name", "text", ["Last name", "Nom de famille"]),
        *_ORGANIZATION_REF,
        *_OWNER,
        ("emails", "contact", ["Email", "E-mail", "Emails", "Adresse e-mail", "Courriel"]),
        ("phones", "contact", ["Phone", "Phones", "Téléphone", "Numéro de téléphone"]),
        ("job_title", "text", ["Job title", "Poste", "Fonction", "Intitulé du poste"]),
        ("labels", "labels", _LABELS),
        ("add_time", "datetime", ["Person created", "Personne créée", *_TIMES[0][2]]),
        _TIMES[1],
    ],
    "organization": [
        ("source_id", "id", ["ID", "Organization ID", "Pipedrive System ID", "ID de l'organisation"]),
        ("name", "text", ["Name", "Organization name", "Nom", "Nom de l'organisation"]),
        *_OWNER,
        ("address.value", "text", ["Address", "Adresse"]),
        ("website", "text", ["Website", "Web site", "Site web", "Site internet"]),
        ("labels", "labels", _LABELS),
        ("add_time", "datetime", ["Organization created", "Organisation créée", *_TIMES[0][2]]),
        _TIMES[1],
    ],
    "activity": [
        ("source_id", "id", ["ID", "Activity ID", "Pipedrive System ID", "ID de l'activité"]),
        ("subject", "text", ["Subject", "Title", "Sujet", "Objet"]),
        ("type.name", "text", ["Type", "Activity type", "Type d'activité"]),
        ("due_date", "date", ["Due date", "Date", "Date d'échéance", "Échéance"]),
        ("due_time", "time", ["Due time", "Time", "Heure d'échéance", "Heure"]),
        ("duration_minutes", "duration", ["Duration", "Durée"]),
        (
            "owner.name",
            "text",
            [
                "Assigned to user",
                "Assigned to",
                "Owner",
                "User",
                "Attribué à l'utilisateur",
                "Attribuée à",
                "Attribué à",
                "Assigné à",
                "Propriétaire",
                "Utilisateur",
            ],
        ),
        ("owner.id", "id", ["Assigned to user ID", "Owner ID", "User ID", "ID de l'utilisateur"]),
        *_DEAL_REF,
        *_LEAD_REF,
        *_PERSON_REF,
        *_ORGANIZATION_REF,
        ("participants", "ref_names", ["Participants"]),
        ("done", "done", ["Done", "Status", "Fait", "Effectuée", "Terminée", "Statut"]),
        (
            "done_time",
            "datetime",
            ["Marked as done time", "Done time", "Marquée comme faite", "Date de réalisation"],
        ),
        ("note", "html", ["Note", "Notes"]),
        ("add_time", "datetime", ["Activity created", "Activité créée", *_TIMES[0][2]]),
        _TIMES[1],
    ],
    "lead": [
        ("source_id", "id", ["ID", "Lead ID", "Pipedrive System ID", "ID du prospect"]),
        ("title", "text", ["Title", "Lead title", "Name", "Titre"]),
        *_OWNER,
        *_PERSON_REF,
        *_ORGANIZATION_REF,
        ("labels", "ref_names", _LABELS),
        *_VALUE,
        ("expected_close_date", "date", ["Expected close date", "Date de clôture prévue"]),
        ("source_name", "text", ["Source", "Source name", "Lead source", "Source du prospect"]),
        ("add_time", "datetime", ["Lead created", "Prospect créé", *_TIMES[0][2]]),
        _TIMES[1],
        ("is_archived", "archived", ["Archived", "Archive status", "Archivé", "Statut d'archivage"]),
        ("converted_deal.id", "id", ["Converted deal ID", "Source deal ID", "ID de l'affaire convertie"]),
    ],
    "note": [
        ("source_id", "id", ["ID", "Note ID", "ID de la note"]),
        ("content", "html", ["Content", "Note", "Text", "Contenu", "Texte"]),
        (
            "user.name",
            "text",
            ["User", "Author", "Owner", "Added by", "Utilisateur", "Auteur", "Ajoutée par"],
        ),
        ("user.id", "id", ["User ID", "Author ID", "ID de l'utilisateur"]),
        *_DEAL_REF,
        *_LEAD_REF,
        *_PERSON_REF,
        *_ORGANIZATION_REF,
        (
            "pinned",
            "boolean",
            [
                "Pinned",
                "Pinned to deal",
                "Pinned to lead",
                "Pinned to person",
                "Pinned to organization",
                "Épinglée",
                "Épinglée à l'affaire",
            ],
        ),
        ("add_time", "datetime", ["Note created", "Date", "Note créée", *_TIMES[0][2]]),
        _TIMES[1],
    ],
    "product": [
        ("source_id", "id", ["ID", "Product ID", "Pipedrive System ID", "ID du produit"]),
        ("name", "text", ["Name", "Product name", "Nom", "Nom du produit"]),
        ("code", "text", ["Product code", "Code", "Code produit"]),
        ("unit", "text", ["Unit", "Unité"]),
        ("price", "number", ["Price", "Unit price", "Prix", "Prix unitaire"]),
        (
            "price_currency",
            "currency",
            ["Currency", "Currency of Price", "Currency of Unit price", "Devise", "Devise du prix"],
        ),
        ("is_active", "boolean", ["Active", "Actif"]),
    ],
}

# Contact labels of split e-mail and phone columns ("Person - Email - Work").
CONTACT_LABELS = {
    "work": "work",
    "home": "home",
    "mobile": "mobile",
    "other": "other",
    "main": "main",
    "travail": "work",
    "professionnel": "work",
    "bureau": "work",
    "domicile": "home",
    "prive": "home",
    "personnel": "home",
    "portable": "mobile",
    "autre": "other",
    "principal": "main",
}

# Address parts of "<part> of <address name>" columns, for Address (records.py).
ADDRESS_PARTS = {
    "apartment/suite no": "subpremise",
    "apartment": "subpremise",
    "suite": "subpremise",
    "street number": "street_number",
    "house number": "street_number",
    "street/road name": "route",
    "street": "route",
    "route": "route",
    "district/sublocality": "sublocality",
    "sublocality": "sublocality",
    "district": "sublocality",
    "city/town/village/locality": "locality",
    "city": "locality",
    "locality": "locality",
    "state/county": "admin_area_level_1",
    "state": "admin_area_level_1",
    "region": "admin_area_level_2",
    "county": "admin_area_level_2",
    "zip/postal code": "postal_code",
    "postal code": "postal_code",
    "zip code": "postal_code",
    "zip": "postal_code",
    "country": "country",
    "full/combined address": "value",
    "full address": "value",
    "formatted address": "value",
    "numero d'appartement": "subpremise",
    "numero de rue": "street_number",
    "nom de la rue": "route",
    "rue": "route",
    "quartier": "sublocality",
    "ville": "locality",
    "localite": "locality",
    "canton": "admin_area_level_1",
    "etat": "admin_area_level_1",
    "departement": "admin_area_level_2",
    "code postal": "postal_code",
    "npa": "postal_code",
    "pays": "country",
    "adresse complete": "value",
    "adresse formatee": "value",
}

CURRENCY_PARTS = ("currency", "devise")

# Columns Pipedrive computes from other records: shown, never imported.
COMPUTED = {
    "weighted value",
    "currency of weighted value",
    "next activity date",
    "next activity time",
    "next activity subject",
    "next activity",
    "last activity date",
    "last activity",
    "total activities",
    "done activities",
    "activities to do",
    "email messages count",
    "last email received",
    "last email sent",
    "open deals",
    "closed deals",
    "won deals",
    "lost deals",
    "people",
    "number of people",
    "people count",
    "followers",
    "followers count",
    "participants count",
    "number of products",
    "products count",
    "formatted value",
    "rotten",
    "rotten time",
    "age",
    "valeur ponderee",
    "devise de valeur ponderee",
    "date de la prochaine activite",
    "date de la derniere activite",
    "nombre total d'activites",
    "activites effectuees",
    "activites a faire",
    "nombre d'e-mails",
    "affaires ouvertes",
    "affaires gagnees",
    "affaires perdues",
}
