# ---
# jupyter:
#   analyse:
#     requires:
#     - fremmoede
#     sources:
#     - fremmoede
#   jupytext:
#     notebook_metadata_filter: kernelspec,analyse,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
processed_dir: str = ""  # mappe med renset data; tom betyder projektets data/processed
first_period: str = "2018H1"  # første halvår i rapporten
last_period: str = "2019H1"  # sidste halvår i rapporten
suppression_threshold: int = 5  # tal under dette vises som <5

# %%
# %matplotlib inline
# Opsætning. Rapportens læsere skal se resultater, ikke advarsler (en tabellinje, diskretionen
# ikke kan beskytte, nævnes i byggets opsummering).
from analyse.notebook_setup import check_parameters, clamp_to_data, injected_parameters, processed_folder, quiet_warnings

quiet_warnings()
check_parameters("02_psykiatriens_hus", globals())  # som 'analyse run' kontrollerer en parameterfil

import pandas as pd
from IPython.display import HTML, Markdown, display

from analyse import completeness, formatting, fremmoede, gaps, periods, suppression

processed = processed_folder(processed_dir)
indikatorer = periods.read_indicators(processed)
# Standardperioden tilpasses data, hvis registreringerne dækker kortere; en angivet periode gør ikke. Et sidste
# halvår, registreringerne kun dækker en del af, er ikke med; er det angivet, vises det markeret.
slutdato = completeness.last_date(processed, "fremmoede")
first_period, last_period, periodetekst = clamp_to_data(
    indikatorer, "kontakter_psykiatriens_hus", first_period, last_period,
    explicit=injected_parameters(), source="fremmøderegistreringerne", last_date=slutdato,
    source_key="fremmoede", trend=False,
)
halvaar = periods.half_year_range(first_period, last_period)
delvis = completeness.split_periods(halvaar, slutdato, "fremmoede", keep=True).partial
periode = formatting.format_period_span(first_period, last_period)
kilde = "Fremmøderegistreringer, Psykiatriens Hus"
banner = formatting.synthetic_banner(processed)

# %%
if banner:
    display(HTML(banner))

# %% [markdown]
# # Psykiatriens Hus: kontakter, borgere og besøg
#
# Rapporten viser brugen af tilbuddene i Psykiatriens Hus halvår for halvår: hvor mange kontakter husets tilbud har haft, hvor mange forskellige borgere der står bag, og hvor mange besøg der er registreret. Til sidst peger den på uger, hvor registreringer formentlig er glemt.

# %%
display(Markdown(f"**Periode:** {periode}. **Kilde:** {kilde}."))
if periodetekst:
    display(Markdown(periodetekst))

# %% [markdown]
# ## Kontakter og unikke borgere

# %%
kendte = fremmoede.known_tilbud()
fremmoede_data = fremmoede.load_visits(processed)
# Alle tabeller med antal beskyttes samlet: de samme tal står i flere tabeller (Tabel 3 og 4's I alt,
# Tabel 5 og Uoplyst tilbud, Tabel 9 og Tabel 4 og 6), så et skjult tal ikke kan læses i en anden tabel.
# Kontakter minus unikke borgere er antallet af ekstra kontakter fra borgere i flere tilbud: er det 1-4,
# skjules kontakterne eller de unikke borgere i halvåret, så de få borgere ikke kan regnes ud.
tabeller = fremmoede.report_tables(indikatorer, fremmoede_data, halvaar, suppression_threshold, known=kendte)
raa, vist = tabeller["raw"], tabeller["shown"]
tabel3, vist3 = raa["tabel3"], vist["tabel3"]
formatting.show_table(
    completeness.mark(vist3, delvis, slutdato),
    caption="Tabel 3: Kontakter, unikke borgere og besøg i Psykiatriens Hus",
    source=kilde,
    period=periode,
    note=" ".join(filter(None, [
        "En kontakt er en borger i ét tilbud i ét halvår: en borger, der bruger to tilbud, er to kontakter, "
        "men én unik borger. Besøg er alle registreringer, også de anonyme.",
        suppression.suppression_note(vist3, suppression_threshold),
    ])),
    name="02_tabel_3_kontakter_og_borgere",
)

# %%
formatting.show_chart(
    vist3.loc[["Kontakter", "Unikke borgere"]],
    title="Figur 1: Kontakter og unikke borgere i Psykiatriens Hus",
    ylabel="Antal",
    source=kilde,
    period=periode,
    threshold=suppression_threshold,
    marks=completeness.chart_marks(delvis, slutdato),
)

# %%
kontakter, borgere, antal_besoeg = (vist3.loc[r, last_period] for r in vist3.index)
if not any(map(suppression.is_hidden, (kontakter, borgere, antal_besoeg))) and borgere >= suppression_threshold:
    display(Markdown(
        f"I {completeness.heading(last_period, slutdato) if delvis else formatting.format_half_year(last_period)} "
        "havde husets tilbud "
        f"{formatting.format_number(kontakter)} kontakter fordelt på "
        f"{formatting.format_number(borgere)} forskellige borgere, dvs. "
        f"{formatting.format_number(kontakter / borgere, 2)} tilbud pr. borger i gennemsnit, "
        f"og der blev registreret {formatting.format_number(antal_besoeg)} besøg."
    ))

# %% [markdown]
# ## Kontakter pr. tilbud

# %%
# Tilbud uden kontakter i hele perioden vises ikke; Uoplyst tilbud og I alt altid.
tabel4, vist4 = raa["tabel4"], vist["tabel4"]
formatting.show_table(
    completeness.mark(vist4, delvis, slutdato),
    caption="Tabel 4: Kontakter pr. tilbud i Psykiatriens Hus",
    source=kilde,
    period=periode,
    note=" ".join(filter(None, [
        "Uoplyst tilbud omfatter registreringer uden tilbud og registreringer under navne, "
        "der ikke findes i listen over tilbud. 0 betyder, at ingen borger er registreret under tilbuddet i halvåret.",
        fremmoede.uoplyst_note(tabel4, vist4),
        suppression.suppression_note(vist4, suppression_threshold),
    ])),
    name="02_tabel_4_kontakter_pr_tilbud",
)

# %%
fremmoede.show_tilbud_chart(
    vist4.drop(index=["Uoplyst tilbud", "I alt"]),
    title="Figur 2: Kontakter pr. tilbud",
    xlabel="Kontakter",
    source=kilde,
    period=periode,
    threshold=suppression_threshold,
)

# %%
ukendte, vist_ukendte = raa["tabel5"], vist["tabel5"]
if len(ukendte):
    display(Markdown(
        "Nogle registreringer står under navne, der ikke findes i listen over tilbud. De tælles under "
        "Uoplyst tilbud i Tabel 4 og er vist her. Er et navn et nyt tilbud eller en anden stavemåde, "
        "kan det tilføjes i mappingfilen `tilbud.csv`."
    ))
    formatting.show_table(
        completeness.mark(vist_ukendte, delvis, slutdato),
        caption="Tabel 5: Kontakter under navne uden for listen over tilbud",
        source=kilde,
        period=periode,
        note=suppression.suppression_note(vist_ukendte, suppression_threshold),
        name="02_tabel_5_ukendte_tilbud",
    )

# %% [markdown]
# ## Besøg og anonyme registreringer
#
# Nogle tilbud registrerer besøg uden navn, fx når mange kommer ad hoc. Et anonymt besøg tæller med i antallet af besøg, men ikke som kontakt eller unik borger, fordi man ikke kan se, hvem der kom.

# %%
vist_besoeg = vist["tabel6"]
formatting.show_table(
    completeness.mark(vist_besoeg, delvis, slutdato),
    caption="Tabel 6: Registrerede besøg pr. tilbud",
    source=kilde,
    period=periode,
    note=" ".join(filter(None, [
        "Besøg er summen af registreringer (en anonym registrering kan dække flere besøg). "
        "Hvor registreringer formentlig mangler, er tallene for lave; se afsnittet Mulige forglemmelser.",
        suppression.suppression_note(vist_besoeg, suppression_threshold),
    ])),
    name="02_tabel_6_besoeg_pr_tilbud",
)

# %%
anonym = fremmoede.anonymous_share_table(fremmoede_data, halvaar, min_visits=suppression_threshold)
anonym = anonym.loc[[t for t in anonym.index if t in vist_besoeg.index]]
formatting.show_table(
    completeness.mark(anonym.map(lambda x: formatting.format_percent(x) if pd.notna(x) else formatting.MISSING),
                      delvis, slutdato),
    caption="Tabel 7: Andel af besøgene, der er registreret anonymt",
    source=kilde,
    period=periode,
    note=f"Andel af registrerede besøg uden navn. – betyder, at tilbuddet havde færre end {suppression_threshold} besøg i halvåret.",
    name="02_tabel_7_andel_anonyme",
)

# %% [markdown]
# ## Mulige forglemmelser
#
# De offentliggjorte tal bygger på registreringer, og der kan være forglemmelser. Nedenfor er de uger, hvor et tilbud, der ellers registrerer hver uge, ikke har nogen registreringer. Skønnet over manglende besøg er vist ved siden af de registrerede tal og er **ikke** lagt til tallene i tabellerne ovenfor.

# %%
fundne = tabeller["gaps"]
huller = fremmoede.gap_table(fundne, halvaar)
if huller.empty:
    display(Markdown("Der er ingen uger i perioden, hvor et tilbud, der ellers registrerer hver uge, mangler registreringer."))
else:
    formatting.show_table(
        huller,
        caption="Tabel 8: Uger uden registreringer i tilbud, der ellers registrerer hver uge",
        source=kilde,
        period=periode,
        note="Skønnet er det typiske antal besøg pr. uge i ugerne omkring (medianen) gange antal uger uden registreringer.",
        name="02_tabel_8_mulige_forglemmelser",
    )

# %%
ved_siden = tabeller["beside"]
if not ved_siden.empty:
    vist_ved_siden = vist["tabel9"].copy()
    # Procenten sammen med skønnet ville give et skjult antal besøg tilbage: skjult med det.
    vist_ved_siden["Skøn i pct. af registrerede besøg"] = [
        formatting.MISSING if suppression.is_hidden(b) or suppression.is_hidden(e) else formatting.format_percent(x)
        for x, b, e in zip(ved_siden["Skøn i pct. af registrerede besøg"], vist_ved_siden["Besøg (registreret)"],
                           vist_ved_siden["Skønnet antal manglende besøg"])
    ]
    vist_ved_siden.index = [f"{t}, {formatting.format_half_year(h)}" for t, h in vist_ved_siden.index]
    formatting.show_table(
        vist_ved_siden.rename_axis("Tilbud og halvår"),
        caption="Tabel 9: Skønnet antal manglende besøg ved siden af de registrerede tal",
        source=kilde,
        period=periode,
        note=" ".join(filter(None, [
            "Kontakter og besøg er de registrerede tal, som i Tabel 4 og 6 (for et tilbudsnavn, der ikke er kendt, som i Tabel 5). Skønnet er ikke lagt til.",
            suppression.suppression_note(vist_ved_siden[["Kontakter (registreret)", "Besøg (registreret)"]],
                                         suppression_threshold),
        ])),
        name="02_tabel_9_skoen_ved_siden_af",
    )

# %% [markdown]
# ## Om tallene

# %%
display(Markdown(
    "**Hvem tælles?** En *kontakt* er en navngiven borger i ét tilbud i ét halvår, uanset hvor mange gange "
    "borgeren er kommet. *Kontakter i alt* er summen over tilbuddene, så en borger, der bruger flere tilbud, "
    "tæller én gang pr. tilbud. *Unikke borgere* tæller hver borger én gang i halvåret. *Besøg* er antallet "
    "af registreringer (kolonnen Antal, ellers 1), anonyme registreringer medregnet.\n\n"
    "**Kilde.** Fremmøderegistreringer fra Psykiatriens Hus. Navnene på tilbuddene er samlet i de kategorier, "
    "der bruges i den politiske rapportering; stavemåder (store og små bogstaver, mellemrum, kendte varianter) "
    "er rettet via mappingfilen `tilbud.csv`. Deltagernes navne er erstattet af pseudonymer, før data gemmes; "
    "rapporten indeholder ingen navne.\n\n"
    "**Mulige forglemmelser.** Et tilbud regnes for at registrere hver uge, når det har registreringer i mindst "
    f"{formatting.format_percent(gaps.MIN_ACTIVE_SHARE)} af de op til {2 * gaps.CONTEXT_WEEKS} almindelige uger "
    f"omkring en stille periode ({gaps.CONTEXT_WEEKS} før og {gaps.CONTEXT_WEEKS} efter). En stille periode på "
    f"{gaps.MIN_GAP_WEEKS} til {gaps.MAX_GAP_WEEKS} uger i træk vises som mulig forglemmelse; længere pauser "
    "regnes for planlagte lukninger. Sommerferien (uge 28–32), jul og nytår (uge 52, 53 og 1) og påskeugen "
    "tæller ikke med, fordi tilbud kan holde lukket. Skønnet er medianen af ugentlige besøg i ugerne omkring "
    "gange antal uger."
))

# %%
kvalitet = formatting.quality_summary(processed, "fremmoede", "fremmøderegistreringerne")
if kvalitet:
    display(Markdown(kvalitet))
display(Markdown(suppression.methods_note(suppression_threshold)))

# %%
if banner:
    display(HTML(banner))
