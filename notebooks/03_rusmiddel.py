# ---
# jupyter:
#   analyse:
#     requires:
#     - rusmiddel
#     sources:
#     - rusmiddel
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
baseline_start: str = "2017-12-01"  # første dag i baselineperioden (aftalen med byrådet)
baseline_end: str = "2018-05-31"  # sidste dag i baselineperioden
comparison_start: str = "2020-01-01"  # første dag i sammenligningsperioden
comparison_end: str = "2021-12-31"  # sidste dag i sammenligningsperioden
suppression_threshold: int = 5  # antal under dette vises som <5, og andele på færre forløb vises ikke

# %%
# %matplotlib inline
# Opsætning. Rapportens læsere skal se resultater, ikke advarsler (en tabellinje, diskretionen
# ikke kan beskytte, nævnes i byggets opsummering).
from analyse.notebook_setup import check_parameters, processed_folder, quiet_warnings

quiet_warnings()
check_parameters("03_rusmiddel", globals())  # som 'analyse run' kontrollerer en parameterfil

from IPython.display import HTML, Markdown, display

from analyse import completeness, formatting, rusmiddel, suppression
from analyse import rusmiddel_report as rapport

processed = processed_folder(processed_dir)
forloeb = rusmiddel.read_episodes(processed)
maal = rapport.published_goals()
baseline = (baseline_start, baseline_end)
sammenligning = (comparison_start, comparison_end)
halvaar, aar = rusmiddel.episode_periods(forloeb)
# Et sidste halvår eller år, forløbene kun dækker en del af (udtrækket er trukket midt i det), vises ikke.
slutdato = completeness.last_date(processed, "rusmiddel")
vist_halvaar, vist_aar = (completeness.split_periods(p, slutdato, "rusmiddel") for p in (halvaar, aar))
periodetekst = " ".join(filter(None, [
    completeness.describe([vist_halvaar, vist_aar], slutdato, "rusmiddel"),
    completeness.span_sentence("Baselineperioden", baseline, slutdato, "rusmiddel"),
    completeness.span_sentence("Sammenligningsperioden", sammenligning, slutdato, "rusmiddel"),
]))
periode = formatting.format_period_span(vist_halvaar.shown[0], vist_halvaar.shown[-1])
kilde = "Rusmiddelcenter Randers (behandlingsforløb)"
# Alle tabeller, figurer og konklusioner beskyttes samlet: et år er summen af sine halvår, og
# 2020-2021 af sine år, så et skjult tal må ikke kunne regnes ud af en anden tabel. Det gælder også et
# halvår eller år, der ikke vises (som rapport 00 og 04 beskytter deres tal med alle perioder).
perioder = [baseline, sammenligning]
resultater, aarstal, halvaarstal = rapport.protect_outcomes(
    [rusmiddel.outcome_table(forloeb, perioder), rusmiddel.outcome_table(forloeb, aar),
     rusmiddel.outcome_table(forloeb, halvaar)],
    suppression_threshold,
)
aarstal, halvaarstal = completeness.rows_shown(aarstal, vist_aar), completeness.rows_shown(halvaarstal, vist_halvaar)
banner = formatting.synthetic_banner(processed)

# %%
if banner:
    display(HTML(banner))

# %% [markdown]
# # Behandlingsresultater i Rusmiddelcenter Randers
#
# Aftalen med byrådet måler Rusmiddelcenteret på, hvor stor en andel af borgerne der afslutter behandlingen med **ophør eller reduktion** af deres forbrug af alkohol eller stoffer. Rapporten viser andelen halvår for halvår og år for år, sammenligner med baseline og mål, og skelner mellem udvikling, der er statistisk sikker, og udsving, der kan skyldes tilfældigheder.

# %%
display(Markdown(
    f"**Periode:** {periode} (afsluttede forløb). **Baseline:** {rapport.period_label(baseline)}. "
    f"**Sammenligning:** {rapport.period_label(sammenligning)}. **Kilde:** {kilde}."
))
if periodetekst:
    display(Markdown(periodetekst))

# %% [markdown]
# ## Sammenfatning

# %%
for gruppe, navn in (("Alkohol", "Alkoholbehandling"), ("Stof", "Stofbehandling")):
    tekst = rapport.conclusion(
        forloeb, gruppe, baseline, sammenligning,
        target=maal.loc[gruppe, "target"], threshold=suppression_threshold, protected=resultater,
    )
    display(Markdown(f"**{navn}.** {tekst}"))

# %%
for nr, (gruppe, navn) in enumerate((("Alkohol", "alkoholbehandling"), ("Stof", "stofbehandling")), start=1):
    tabel = rapport.share_display_table(resultater, gruppe, suppression_threshold)
    formatting.show_table(
        tabel,
        caption=f"Tabel {nr}: Afslutning med reduktion eller ophør i {navn}, baseline og sammenligning",
        source=kilde,
        period=f"{rapport.period_label(baseline)} og {rapport.period_label(sammenligning)}",
        note=rapport.share_note(suppression_threshold)
        + f" Offentliggjort baseline: {formatting.format_percent(maal.loc[gruppe, 'baseline'])} "
        f"(N={maal.loc[gruppe, 'baseline_n']}); mål for 2020: {formatting.format_percent(maal.loc[gruppe, 'target'])}; "
        f"offentliggjort for 2020–2021 (strategien fra 2023): {formatting.format_percent(maal.loc[gruppe, 'share_2020_2021'])}.",
        name=f"03_tabel_{nr}_baseline_{gruppe.lower()}",
    )

# %% [markdown]
# ## Alkoholbehandling

# %%
rapport.show_shares_chart(
    halvaarstal, "Alkohol",
    title="Figur 1: Alkoholbehandling afsluttet med reduktion eller ophør",
    source=kilde, period=periode,
    baseline=maal.loc["Alkohol", "baseline"], target=maal.loc["Alkohol", "target"],
    threshold=suppression_threshold,
)

# %%
display(Markdown(rapport.trend_sentence(halvaarstal, "Alkohol")))

# %%
formatting.show_table(
    completeness.mark(rapport.share_display_table(aarstal, "Alkohol", suppression_threshold),
                      vist_aar.partial, slutdato),
    caption="Tabel 3: Alkoholbehandling afsluttet med reduktion eller ophør, pr. år",
    source=kilde,
    period=f"{vist_aar.shown[0]}–{vist_aar.shown[-1]}",
    note=rapport.share_note(suppression_threshold),
    name="03_tabel_3_aar_alkohol",
)
formatting.show_table(
    completeness.mark(rapport.share_display_table(halvaarstal, "Alkohol", suppression_threshold),
                      vist_halvaar.partial, slutdato),
    caption="Tabel 4: Alkoholbehandling afsluttet med reduktion eller ophør, pr. halvår",
    source=kilde,
    period=periode,
    note=rapport.share_note(suppression_threshold),
    name="03_tabel_4_halvaar_alkohol",
)

# %% [markdown]
# ## Stofbehandling

# %%
rapport.show_shares_chart(
    halvaarstal, "Stof",
    title="Figur 2: Stofbehandling afsluttet med reduktion eller ophør",
    source=kilde, period=periode,
    baseline=maal.loc["Stof", "baseline"], target=maal.loc["Stof", "target"],
    threshold=suppression_threshold,
)

# %%
display(Markdown(rapport.trend_sentence(halvaarstal, "Stof")))

# %%
formatting.show_table(
    completeness.mark(rapport.share_display_table(aarstal, "Stof", suppression_threshold),
                      vist_aar.partial, slutdato),
    caption="Tabel 5: Stofbehandling afsluttet med reduktion eller ophør, pr. år",
    source=kilde,
    period=f"{vist_aar.shown[0]}–{vist_aar.shown[-1]}",
    note=rapport.share_note(suppression_threshold),
    name="03_tabel_5_aar_stof",
)
formatting.show_table(
    completeness.mark(rapport.share_display_table(halvaarstal, "Stof", suppression_threshold),
                      vist_halvaar.partial, slutdato),
    caption="Tabel 6: Stofbehandling afsluttet med reduktion eller ophør, pr. halvår",
    source=kilde,
    period=periode,
    note=rapport.share_note(suppression_threshold),
    name="03_tabel_6_halvaar_stof",
)

# %% [markdown]
# ## Om tallene
#
# **Hvad tælles?** Et behandlingsforløb tælles i den periode, hvor det er afsluttet (slutdatoen ligger i perioden, begge dage medregnet). Forløb, der er afsluttet, fordi borgeren er flyttet eller død, tæller ikke med. Igangværende forløb tæller først med, når de er afsluttet. *Reduktion eller ophør* er forløb afsluttet med status *Ophørt* (stoffri/alkoholfri) eller *Reduceret*.
#
# **Nationale mål.** De nationale mål regner flere afslutninger som gode: for alkohol også *relevant henvist*, for stoffer også *stabiliseret*. Kolonnen "Andel opgjort som det nationale mål" og den stiplede grå linje viser andelen opgjort på den måde, på de samme forløb. De nationale baselines og mål i aftalen er opgjort i de nationale registre og kan ikke sammenlignes direkte med tallene her.
#
# **Usikkerhed.** Med omkring 100 afsluttede forløb på et halvt år flytter få borgere andelen flere procentpoint. Intervallerne (95 %, Wilson) viser, hvor meget andelen kunne svinge alene ved tilfældigheder. Forskellen mellem baseline og sammenligningsperioden er vurderet med et Newcombe-interval for forskellen mellem to andele; om målet er nået, er vurderet på den afrundede andel, og afstanden til målet med en eksakt binomialtest. Udviklingen over halvårene er vurderet med en logistisk regression (binomial GLM). "Statistisk sikker" betyder, at en så stor udvikling sjældent (under 5 % af gangene) ville opstå ved tilfældigheder alene, hvis der ingen reel ændring var. Modellerne antager, at forløbene og halvårene er uafhængige af hinanden. Det er de ikke helt: den samme borger kan have flere forløb, i samme eller i flere halvår. "Statistisk sikker" skal derfor læses med forsigtighed.
#
# **Forbehold.** Aftalens baseline er opgjort som borgere (N=106 og N=98); her tælles afsluttede forløb, og en borger kan have flere forløb. Statusser registreres af behandleren ved afslutningen, og registreringspraksis kan ændre sig over tid.

# %%
national = maal[["national_baseline", "national_target"]]
display(Markdown(
    "**De nationale mål i aftalen:** alkoholbehandling afsluttet alkoholfri, reduceret eller relevant henvist: "
    f"baseline {formatting.format_percent(national.loc['Alkohol', 'national_baseline'])}, "
    f"mål {formatting.format_percent(national.loc['Alkohol', 'national_target'])}; "
    "stofbehandling afsluttet stoffri, reduceret eller stabiliseret: "
    f"baseline {formatting.format_percent(national.loc['Stof', 'national_baseline'])}, "
    f"mål {formatting.format_percent(national.loc['Stof', 'national_target'])}."
))
kvalitet = formatting.quality_summary(processed, "rusmiddel", "Rusmiddelcenter Randers")
if kvalitet:
    display(Markdown(kvalitet))
display(Markdown(suppression.methods_note(suppression_threshold, shares=True, unit="forløb")))

# %%
if banner:
    display(HTML(banner))
