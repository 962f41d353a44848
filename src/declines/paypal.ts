/**
 * PayPal card decline codes → standard reasons.
 *
 * Two kinds of code come back from PayPal's Orders v2 API on a declined card:
 * - `processor_response.response_code` on the card's authorization or capture: four characters,
 *   numeric (ISO 8583-style, `5120` INSUFFICIENT_FUNDS) or PayPal's own (`PPRN`
 *   REATTEMPT_NOT_PERMITTED). Names are PayPal's enum values, listed in the Orders v2 reference
 *   and the server SDKs' `ProcessorResponseCode` enumeration.
 * - the `issue` of an UNPROCESSABLE_ENTITY error (`CARD_EXPIRED`, `INSTRUMENT_DECLINED`, …).
 * `processor_response.payment_advice_code` carries the Mastercard Merchant Advice Code: an
 * adapter passes it as `advice`.
 *
 * Sources: https://developer.paypal.com/api/rest/reference/orders/v2/errors/ ,
 * https://developer.paypal.com/docs/checkout/advanced/card-decline-errors ,
 * https://developer.paypal.com/serversdk/php/models/enumerations/processor-response-code/ ,
 * https://developer.paypal.com/api/handle-payment-failures .
 * @module
 */
import type { GatewayDeclineTable } from './tables';
import type { DeclineReason } from './reasons';

/** PayPal `processor_response.response_code` (enum name in the comment) → reason. */
export const PAYPAL_PROCESSOR_CODES: Readonly<Record<string, DeclineReason>> = {
  '00N7': 'incorrect_cvc', // CVV2_FAILURE_POSSIBLE_RETRY_WITH_CVV
  '0100': 'call_issuer', // REFERRAL
  '0390': 'invalid_account', // ACCOUNT_NOT_FOUND
  '0500': 'do_not_honor', // DO_NOT_HONOR
  '0580': 'transaction_not_allowed', // UNAUTHORIZED_TRANSACTION
  '0800': 'processing_error', // BAD_RESPONSE_REVERSAL_REQUIRED
  '0880': 'processing_error', // CRYPTOGRAPHIC_FAILURE
  '0890': 'pin_error', // UNACCEPTABLE_PIN
  '0960': 'processing_error', // SYSTEM_MALFUNCTION
  '0R00': 'revocation_of_authorization', // CANCELLED_PAYMENT (ISO R0, stop payment)
  '10BR': 'generic_decline', // ISSUER_REJECTED
  '1300': 'processing_error', // INVALID_DATA_FORMAT
  '1310': 'invalid_amount', // INVALID_AMOUNT
  '1312': 'transaction_not_allowed', // INVALID_TRANSACTION_CARD_ISSUER_ACQUIRER
  '1317': 'processing_error', // INVALID_CAPTURE_DATE
  '1320': 'invalid_merchant', // INVALID_CURRENCY_CODE
  '1330': 'invalid_account', // INVALID_ACCOUNT
  '1335': 'invalid_account', // INVALID_ACCOUNT_RECURRING
  '1340': 'invalid_merchant', // INVALID_TERMINAL
  '1350': 'invalid_merchant', // INVALID_MERCHANT
  '1352': 'restricted_card', // RESTRICTED_OR_INACTIVE_ACCOUNT
  '1360': 'processing_error', // BAD_PROCESSING_CODE
  '1370': 'invalid_merchant', // INVALID_MCC
  '1380': 'invalid_expiry_date', // INVALID_EXPIRATION
  '1382': 'incorrect_cvc', // INVALID_CARD_VERIFICATION_VALUE
  '1384': 'processing_error', // INVALID_LIFE_CYCLE_OF_TRANSACTION
  '1390': 'processing_error', // INVALID_ORDER
  '1393': 'generic_decline', // TRANSACTION_CANNOT_BE_COMPLETED
  '5100': 'generic_decline', // GENERIC_DECLINE
  '5110': 'incorrect_cvc', // CVV2_FAILURE
  '5120': 'insufficient_funds', // INSUFFICIENT_FUNDS
  '5130': 'pin_error', // INVALID_PIN
  '5135': 'pin_error', // DECLINED_PIN_TRY_EXCEEDED
  '5140': 'account_closed', // CARD_CLOSED
  '5150': 'pickup_card', // PICKUP_CARD_SPECIAL_CONDITIONS
  '5160': 'transaction_not_allowed', // UNAUTHORIZED_USER
  '5170': 'incorrect_address', // AVS_FAILURE
  '5180': 'restricted_card', // INVALID_OR_RESTRICTED_CARD
  '5190': 'incorrect_address', // SOFT_AVS
  '5200': 'duplicate_transaction', // DUPLICATE_TRANSACTION
  '5210': 'transaction_not_allowed', // INVALID_TRANSACTION (ISO 12)
  '5400': 'expired_card', // EXPIRED_CARD
  '5500': 'pin_error', // INCORRECT_PIN_REENTER
  '5650': 'authentication_required', // DECLINED_SCA_REQUIRED
  '5700': 'transaction_not_allowed', // TRANSACTION_NOT_PERMITTED
  '5710': 'velocity_exceeded', // TX_ATTEMPTS_EXCEED_LIMIT
  '5800': 'processing_error', // REVERSAL_REJECTED
  '5900': 'generic_decline', // INVALID_ISSUE
  '5910': 'do_not_retry', // ISSUER_NOT_AVAILABLE_NOT_RETRIABLE
  '5920': 'issuer_unavailable', // ISSUER_NOT_AVAILABLE_RETRIABLE
  '5930': 'restricted_card', // CARD_NOT_ACTIVATED
  '5950': 'new_account_information', // DECLINED_DUE_TO_UPDATED_ACCOUNT
  '6300': 'invalid_account', // ACCOUNT_NOT_ON_FILE
  '7700': 'authentication_failed', // ERROR_3DS
  '7710': 'authentication_failed', // AUTHENTICATION_FAILED
  '7800': 'card_not_supported', // BIN_ERROR
  '7900': 'pin_error', // PIN_ERROR
  '8000': 'processing_error', // PROCESSOR_SYSTEM_ERROR
  '8010': 'processing_error', // HOST_KEY_ERROR
  '8020': 'invalid_merchant', // CONFIGURATION_ERROR
  '8030': 'processing_error', // UNSUPPORTED_OPERATION
  '8100': 'processing_error', // FATAL_COMMUNICATION_ERROR
  '8110': 'processing_error', // RETRIABLE_COMMUNICATION_ERROR
  '8220': 'processing_error', // SYSTEM_UNAVAILABLE
  '9100': 'generic_decline', // DECLINED_PLEASE_RETRY
  '9500': 'fraud_suspected', // SUSPECTED_FRAUD
  '9510': 'fraud_suspected', // SECURITY_VIOLATION
  '9520': 'stolen_card', // LOST_OR_STOLEN
  '9530': 'call_issuer', // HOLD_CALL_CENTER
  '9540': 'generic_decline', // REFUSED_CARD
  '9600': 'generic_decline', // UNRECOGNIZED_RESPONSE_CODE
  PCNR: 'authentication_required', // CONTINGENCIES_NOT_RESOLVED
  PCVV: 'incorrect_cvc', // CVV_FAILURE
  PP06: 'account_closed', // ACCOUNT_CLOSED
  PPRN: 'do_not_retry', // REATTEMPT_NOT_PERMITTED
  PPAD: 'incorrect_address', // BILLING_ADDRESS
  PPAB: 'restricted_card', // ACCOUNT_BLOCKED_BY_ISSUER
  PPAE: 'card_not_supported', // AMEX_DISABLED
  PPAG: 'invalid_merchant', // ADULT_GAMING_UNSUPPORTED
  PPAI: 'invalid_amount', // AMOUNT_INCOMPATIBLE
  PPAR: 'generic_decline', // AUTH_RESULT
  PPAU: 'invalid_merchant', // MCC_CODE
  PPAV: 'incorrect_address', // ARC_AVS
  PPAX: 'amount_limit_exceeded', // AMOUNT_EXCEEDED
  PPBG: 'invalid_merchant', // BAD_GAMING
  PPC2: 'incorrect_cvc', // ARC_CVV
  PPCE: 'invalid_merchant', // CE_REGISTRATION_INCOMPLETE
  PPCO: 'card_not_supported', // COUNTRY
  PPCR: 'processing_error', // CREDIT_ERROR
  PPCT: 'card_not_supported', // CARD_TYPE_UNSUPPORTED
  PPCU: 'invalid_merchant', // CURRENCY_USED_INVALID
  PPD3: 'authentication_failed', // SECURE_ERROR_3DS
  PPDI: 'card_not_supported', // DINERS_REJECT
  PPDT: 'velocity_exceeded', // DECLINE_THRESHOLD_BREACH
  PPDV: 'generic_decline', // AUTH_MESSAGE
  PPEF: 'expired_card', // EXPIRED_FUNDING_INSTRUMENT
  PPEL: 'velocity_exceeded', // EXCEEDS_FREQUENCY_LIMIT
  PPER: 'processing_error', // INTERNAL_SYSTEM_ERROR
  PPEX: 'invalid_expiry_date', // EXPIRY_DATE
  PPFI: 'invalid_account', // INVALID_FUNDING_INSTRUMENT
  PPFR: 'restricted_card', // RESTRICTED_FUNDING_INSTRUMENT
  PPFV: 'processing_error', // FIELD_VALIDATION_FAILED
  PPIF: 'duplicate_transaction', // IDEMPOTENCY_FAILURE: never cascade, the first request may have charged
  PPII: 'processing_error', // INVALID_INPUT_FAILURE
  PPMB: 'invalid_merchant', // MISSING_BUSINESS_RULE_OR_DATA
  PPMC: 'card_not_supported', // BLOCKED_MASTERCARD
  PPNL: 'velocity_exceeded', // EXCEEDS_NETWORK_FREQUENCY_LIMIT
  PPNM: 'invalid_merchant', // NO_MID_FOUND
  PPNT: 'processing_error', // NETWORK_ERROR
  PPPI: 'invalid_merchant', // INVALID_PRODUCT
  PPPM: 'card_not_supported', // INVALID_PAYMENT_METHOD
  PPQC: 'invalid_merchant', // QUASI_CASH_UNSUPPORTED
  PPRR: 'invalid_merchant', // MERCHANT_NOT_REGISTERED
  PPSC: 'risk_blocked', // ARC_SCORE
  PPSE: 'card_not_supported', // AMEX_DENIED
  PPTT: 'invalid_merchant', // TRANSACTION_TYPE_UNSUPPORTED
  PPUA: 'invalid_merchant', // USER_NOT_AUTHORIZED
  PPUC: 'invalid_merchant', // CURRENCY_CODE_UNSUPPORTED
  PPVC: 'invalid_merchant', // VALIDATE_CURRENCY
  PPVE: 'processing_error', // VALIDATION_ERROR
  PPVT: 'invalid_merchant', // VIRTUAL_TERMINAL_UNSUPPORTED
};

/** PayPal Orders v2 error `issue` names of card declines → reason. */
export const PAYPAL_ISSUES: Readonly<Record<string, DeclineReason>> = {
  INSTRUMENT_DECLINED: 'generic_decline',
  CARD_EXPIRED: 'expired_card',
  CARD_CLOSED: 'account_closed',
  TRANSACTION_REFUSED: 'generic_decline',
  DUPLICATE_INVOICE_ID: 'duplicate_transaction',
  MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED: 'velocity_exceeded',
  REDIRECT_PAYER_FOR_ALTERNATE_FUNDING: 'generic_decline',
  CURRENCY_NOT_SUPPORTED: 'invalid_merchant',
  PAYER_ACTION_REQUIRED: 'authentication_required',
};

/** PayPal's decline code table (processor response codes and Orders v2 issues). */
export const paypalDeclines: GatewayDeclineTable = {
  gateway: 'paypal',
  docs: 'https://developer.paypal.com/api/rest/reference/orders/v2/errors/',
  codes: { ...PAYPAL_PROCESSOR_CODES, ...PAYPAL_ISSUES },
};
