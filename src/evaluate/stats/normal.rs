//! The standard normal distribution: `erfc`, the cdf `Φ` and its inverse.
//!
//! - `erfc` uses the rational approximations of Sun's fdlibm `s_erf.c`
//!   (accurate to < 1 ulp), so `Φ(x) = erfc(-x / √2) / 2` keeps full relative
//!   precision in both tails, as `scipy.special.ndtr` does.
//! - The quantile is Wichura's AS 241 (`PPND16`, Appl. Statist. 37, 1988),
//!   accurate to about 1e-16 relative.
//!
//! Both are checked against scipy to 1e-12 relative in the tests.

// AS 241's coefficients are kept exactly as published (20 digits).
#![allow(clippy::excessive_precision)]

/// erf(1) rounded to float precision (fdlibm `erx`).
const ERX: f64 = f64::from_bits(0x3FEB_0AC1_6000_0000);

/// Evaluates a polynomial with coefficients in increasing order (Horner).
fn poly(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

// fdlibm s_erf.c coefficients, given by their IEEE-754 bit patterns (as in
// the fdlibm source comments) so no decimal transcription can go wrong.
// |x| < 0.84375: erf(x) = x + x·PP(x²)/QQ(x²).
const PP: [f64; 5] = [
    f64::from_bits(0x3FC0_6EBA_8214_DB68), // 0.12837916709551256
    f64::from_bits(0xBFD4_CD7D_691C_B913), // -0.3250421072470015
    f64::from_bits(0xBF9D_2A51_DBD7_194F), // -0.02848174957559851
    f64::from_bits(0xBF77_A291_2366_68E4), // -0.005770270296489442
    f64::from_bits(0xBEF8_EAD6_1200_16AC), // -2.3763016656650163e-05
];
const QQ: [f64; 6] = [
    f64::from_bits(0x3FF0_0000_0000_0000), // 1.0
    f64::from_bits(0x3FD9_7779_CDDA_DC09), // 0.39791722395915535
    f64::from_bits(0x3FB0_A54C_5536_CEBA), // 0.0650222499887673
    f64::from_bits(0x3F74_D022_C4D3_6B0F), // 0.005081306281875766
    f64::from_bits(0x3F21_5DC9_221C_1A10), // 0.00013249473800432164
    f64::from_bits(0xBED0_9C43_42A2_6120), // -3.960228278775368e-06
];
// 0.84375 <= |x| < 1.25: erf(x) = erx + PA(|x| - 1)/QA(|x| - 1).
const PA: [f64; 7] = [
    f64::from_bits(0xBF63_59B8_BEF7_7538), // -0.0023621185607526594
    f64::from_bits(0x3FDA_8D00_AD92_B34D), // 0.41485611868374833
    f64::from_bits(0xBFD7_D240_FBB8_C3F1), // -0.3722078760357013
    f64::from_bits(0x3FD4_5FCA_8051_20E4), // 0.31834661990116175
    f64::from_bits(0xBFBC_6398_3D3E_28EC), // -0.11089469428239668
    f64::from_bits(0x3FA2_2A36_5997_95EB), // 0.035478304325618236
    f64::from_bits(0xBF61_BF38_0A96_073F), // -0.002166375594868791
];
const QA: [f64; 7] = [
    f64::from_bits(0x3FF0_0000_0000_0000), // 1.0
    f64::from_bits(0x3FBB_3E66_18EE_E323), // 0.10642088040084423
    f64::from_bits(0x3FE1_4AF0_92EB_6F33), // 0.540397917702171
    f64::from_bits(0x3FB2_635C_D99F_E9A7), // 0.07182865441419627
    f64::from_bits(0x3FC0_2660_E763_351F), // 0.12617121980876164
    f64::from_bits(0x3F8B_EDC2_6B51_DD1C), // 0.01363708391202905
    f64::from_bits(0x3F88_8B54_5735_151D), // 0.011984499846799107
];
// 1.25 <= |x| < 1/0.35: erfc(x) = exp(-x² - 0.5625 + RA(1/x²)/SA(1/x²)) / x.
const RA: [f64; 8] = [
    f64::from_bits(0xBF84_3412_600D_6435), // -0.009864944034847148
    f64::from_bits(0xBFE6_3416_E4BA_7360), // -0.6938585727071818
    f64::from_bits(0xC025_1E04_41B0_E726), // -10.558626225323291
    f64::from_bits(0xC04F_300A_E4CB_A38D), // -62.375332450326006
    f64::from_bits(0xC064_4CB1_8428_2266), // -162.39666946257347
    f64::from_bits(0xC067_135C_EBCC_ABB2), // -184.60509290671104
    f64::from_bits(0xC054_5265_57E4_D2F2), // -81.2874355063066
    f64::from_bits(0xC023_A0EF_C69A_C25C), // -9.814329344169145
];
const SA: [f64; 9] = [
    f64::from_bits(0x3FF0_0000_0000_0000), // 1.0
    f64::from_bits(0x4033_A6B9_BD70_7687), // 19.651271667439257
    f64::from_bits(0x4061_350C_526A_E721), // 137.65775414351904
    f64::from_bits(0x407B_290D_D58A_1A71), // 434.56587747522923
    f64::from_bits(0x4084_2B19_21EC_2868), // 645.3872717332679
    f64::from_bits(0x407A_D021_5770_0314), // 429.00814002756783
    f64::from_bits(0x405B_28A3_EE48_AE2C), // 108.63500554177944
    f64::from_bits(0x401A_47EF_8E48_4A93), // 6.570249770319282
    f64::from_bits(0xBFAE_EFF2_EE74_9A62), // -0.0604244152148581
];
// |x| >= 1/0.35, same form with RB/SB.
const RB: [f64; 7] = [
    f64::from_bits(0xBF84_3412_39E8_6F4A), // -0.0098649429247001
    f64::from_bits(0xBFE9_93BA_70C2_85DE), // -0.799283237680523
    f64::from_bits(0xC031_C209_555F_995A), // -17.757954917754752
    f64::from_bits(0xC064_145D_43C5_ED98), // -160.63638485582192
    f64::from_bits(0xC083_EC88_1375_F228), // -637.5664433683896
    f64::from_bits(0xC090_0461_6A2E_5992), // -1025.0951316110772
    f64::from_bits(0xC07E_384E_9BDC_383F), // -483.5191916086514
];
const SB: [f64; 8] = [
    f64::from_bits(0x3FF0_0000_0000_0000), // 1.0
    f64::from_bits(0x403E_568B_261D_5190), // 30.33806074348246
    f64::from_bits(0x4074_5CAE_221B_9F0A), // 325.7925129965739
    f64::from_bits(0x4098_02EB_189D_5118), // 1536.729586084437
    f64::from_bits(0x40A8_FFB7_688C_246A), // 3199.8582195085955
    f64::from_bits(0x40A3_F219_CEDF_3BE6), // 2553.0504064331644
    f64::from_bits(0x407D_A874_E79F_E763), // 474.52854120695537
    f64::from_bits(0xC036_70E2_4271_2D62), // -22.44095244658582
];

/// Complementary error function `erfc(x) = 1 - erf(x)` (fdlibm algorithm).
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    if ax < 0.843_75 {
        if ax < 2f64.powi(-56) {
            return 1.0 - x;
        }
        let z = x * x;
        let y = poly(&PP, z) / poly(&QQ, z);
        return if x < 0.25 {
            1.0 - (x + x * y)
        } else {
            0.5 - (x - 0.5 + x * y)
        };
    }
    if ax < 1.25 {
        let s = ax - 1.0;
        let ratio = poly(&PA, s) / poly(&QA, s);
        return if x >= 0.0 {
            1.0 - ERX - ratio
        } else {
            1.0 + (ERX + ratio)
        };
    }
    if x >= 28.0 {
        return 0.0;
    }
    if x <= -6.0 {
        return 2.0;
    }
    let s = 1.0 / (ax * ax);
    let r = if ax < 1.0 / 0.35 {
        poly(&RA, s) / poly(&SA, s)
    } else {
        poly(&RB, s) / poly(&SB, s)
    };
    // Split ax so that z*z is exact: exp(-ax²) is evaluated without the
    // rounding error of ax*ax (fdlibm's SET_LOW_WORD trick).
    let z = f64::from_bits(ax.to_bits() & 0xffff_ffff_0000_0000);
    let tail = (-z * z - 0.5625).exp() * ((z - ax) * (z + ax) + r).exp() / ax;
    if x > 0.0 {
        tail
    } else {
        2.0 - tail
    }
}

/// Standard normal cdf `Φ(x)`, full relative precision in both tails.
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// Two-sided p-value of a standard-normal statistic: `2 Φ(-|z|)`.
pub fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() * std::f64::consts::FRAC_1_SQRT_2)
}

// Wichura AS 241 coefficients (PPND16).
const A: [f64; 8] = [
    3.387_132_872_796_366_608_0,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
const B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083_0e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061_0e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561_0e3,
];
const C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_90,
    5.769_497_221_460_691_405_50,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_70e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_40e-4,
];
const D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_40,
    6.897_673_349_851_000_045_50e-1,
    1.481_039_764_274_800_745_90e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946_00e-4,
    1.050_750_071_644_416_843_24e-9,
];
const E: [f64; 8] = [
    6.657_904_643_501_103_777_20,
    5.463_784_911_164_114_369_90,
    1.784_826_539_917_291_335_80,
    2.965_605_718_285_048_912_30e-1,
    2.653_218_952_657_612_309_30e-2,
    1.242_660_947_388_078_438_60e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
const F: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_90e-1,
    1.369_298_809_227_358_053_10e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591_00e-4,
    1.846_318_317_510_054_681_80e-5,
    1.421_511_758_316_445_888_70e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// Standard normal quantile `Φ⁻¹(p)` (Wichura AS 241). `±inf` at 0 and 1,
/// NaN outside `[0, 1]`.
pub fn norm_ppf(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * poly(&A, r) / poly(&B, r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail.ln()).sqrt();
    let v = if r <= 5.0 {
        let r = r - 1.6;
        poly(&C, r) / poly(&D, r)
    } else {
        let r = r - 5.0;
        poly(&E, r) / poly(&F, r)
    };
    if q < 0.0 {
        -v
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative closeness; absolute below 1e-300 (scipy flushes ndtr(-38),
    /// about 2.9e-317, to 0).
    fn close(a: f64, b: f64, rel: f64) -> bool {
        a == b || (a - b).abs() <= (rel * b.abs()).max(1e-300)
    }

    #[test]
    fn cdf_matches_scipy() {
        // from scripts/oracles/stats_oracle.py (scipy.special.ndtr)
        for &(x, want) in super::super::oracle::NDTR {
            let got = norm_cdf(x);
            assert!(close(got, want, 1e-12), "ndtr({x}) = {got}, want {want}");
        }
    }

    #[test]
    fn ppf_matches_scipy() {
        // from scripts/oracles/stats_oracle.py (scipy.special.ndtri)
        for &(p, want) in super::super::oracle::NDTRI {
            let got = norm_ppf(p);
            assert!(close(got, want, 1e-12), "ndtri({p}) = {got}, want {want}");
        }
    }

    #[test]
    fn edges() {
        assert_eq!(norm_ppf(0.0), f64::NEG_INFINITY);
        assert_eq!(norm_ppf(1.0), f64::INFINITY);
        assert!(norm_ppf(1.5).is_nan() && norm_ppf(f64::NAN).is_nan());
        assert_eq!(norm_cdf(f64::INFINITY), 1.0);
        assert_eq!(norm_cdf(f64::NEG_INFINITY), 0.0);
        assert!(norm_cdf(f64::NAN).is_nan());
        assert_eq!(two_sided_p(0.0), 1.0);
    }
}
